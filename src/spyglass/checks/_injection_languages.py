# ruff: noqa: RUF001  (look-alike and non-Latin letters are this module's data)
"""Multilingual tables of the injection checks: "ignore the previous instructions", "reveal
the system prompt", "what is the password", "I am your developer" and "maintenance mode" in
the languages attacks are commonly translated into, plus their negations."""

from __future__ import annotations

import re

from spyglass.checks._injection_rules import Rule, rule

# Multilingual: (ignore-previous-instructions, reveal-system-prompt) per language. Verbs and
# nouns are stems so that inflected forms match; gaps are bounded character runs because
# \w does not cover the combining vowel signs of Indic and Thai scripts.
_G = r"[^\n]{0,40}?"
_ML_OVERRIDE = [
    r"\b(?:ignora|ignore|ignoren|ignorar|olvida|olvide|olviden|olvidar|olvídate|olvídese|"
    r"descarta|descartar|omite|haz caso omiso|no hagas caso|desatiende)\b"
    + _G
    + r"\b(?:instrucci|indicaciones|reglas|órdenes|directrices|normas)",
    r"\b(?:ignore[rz]?|oublie[rz]?|ne tiens pas compte|ne tenez pas compte|fais abstraction|"
    r"faites abstraction|néglige[rz]?)\b" + _G + r"\b(?:instructions?|consignes?|directives?|"
    r"règles|ordres|indications)",
    r"\b(?:ignorier\w*|vergiss|vergessen sie|vergesst|missacht\w*|übergeh\w*)\b"
    + _G
    + r"(?:anweisung|instruktion|befehl|regeln|vorgaben|richtlinien)",
    r"\b(?:vorherig|vorig|bisherig|obig|früher|alle)\w*\s+(?:anweisung|instruktion|befehl|regeln"
    r"|vorgaben)\w*" + _G + r"(?:ignorier|vergess|missacht)",
    r"\b(?:ignora|ignorate|ignori|dimentica|dimenticate|dimentichi|trascura|non tenere conto|"
    r"non considerare|tralascia)\b" + _G + r"\b(?:istruzion|indicazion|regole|direttive|ordini)",
    r"\b(?:ignore|ignora|ignorem|esqueça|esqueca|esqueçam|desconsidere|desconsidera|despreze|"
    r"descarte)\b" + _G + r"\b(?:instruç|instruc|orientaç|regras|diretrizes|ordens|comandos)",
    r"\b(?:negeer|negeren|vergeet|vergeten)\b" + _G + r"\b(?:instructie|opdracht|regels|"
    r"aanwijzing|richtlijn)",
    r"(?:игнорир|проигнорир|забудь|забудьте|не обращай|отбрось|пренебреги|не учитывай|не следуй|"
    r"ігнор|забудь)" + _G + r"(?:инструкци|указани|правил|команд|директив|приказ|інструкці|"
    r"вказівк)",
    r"\b(?:zignoruj|ignoruj|zapomnij|pomiń|nie zwracaj uwagi|odrzuć)"
    + _G
    + r"(?:instrukcj|polece|zasad|wytyczn|reguł|komend)",
    r"(?:talimat|komut|kural|yönerge|direktif)\w*" + _G + r"(?:yok ?say|görmezden gel|unut|"
    r"dikkate alma|göz ardı et|umursama)",
    r"(?:تجاهل|تجاهلي|تجاهلوا|انس|انسى|إنس|لا تلتزم|تخط|أهمل|تغاض)"
    + _G
    + r"(?:تعليمات|أوامر|توجيهات|قواعد|إرشادات)",
    r"(?:पिछल|पूर्व|पहले|सभी|ऊपर|पुरान|अपने|अपनी)"
    + _G
    + r"(?:निर्देश|आदेश|नियम)"
    + _G
    + r"(?:अनदेख|नज़रअंदाज़|नजरअंदाज|भूल|उपेक्षा|ध्यान न|अवहेलना)",
    r"(?:পূর্ববর্তী|আগের|পূর্বের|সমস্ত|সব|যা বলা)" + _G + r"(?:নির্দেশ|হয়েছে)" + _G + r"(?:উপেক্ষা|ভুলে|অগ্রাহ্য)",
    r"(?:忽略|无视|無視|忽视|忽視|不要理会|不要理會|忘记|忘記|忘掉|跳过|跳過|不理会|丢弃|放弃|放棄)"
    r"[^\n]{0,12}?(?:指令|指示|说明|說明|规则|規則|提示|命令|要求|设定|設定|限制)",
    r"(?:以前|前|上記|これまで|今まで|すべて|全て|先|上)の?[^\n]{0,10}?(?:指示|命令|指令|ルール|"
    r"規則|プロンプト|設定|制約)[^\n]{0,10}?(?:無視|忘れ|破棄)",
    r"(?:이전|앞의|위의|모든|기존|앞선|지금까지)[^\n]{0,12}?(?:지시|지침|명령|규칙|프롬프트|설정)"
    r"[^\n]{0,12}?(?:무시|잊어|잊으|따르지)",
    r"(?:bỏ qua|phớt lờ|quên|lờ đi|không tuân theo)" + _G + r"(?:hướng dẫn|chỉ dẫn|chỉ thị|lệnh|"
    r"quy tắc|mệnh lệnh)",
    r"\b(?:abaikan|lupakan|acuhkan|jangan ikuti|jangan hiraukan)\b" + _G + r"(?:instruksi|"
    r"perintah|petunjuk|arahan|aturan)",
    r"\b(?:huwag pansinin|kalimutan|balewalain|huwag sundin|ipagwalang-bahala)\b"
    + _G
    + r"(?:tagubilin|instruksyon|utos|panuto|patakaran)",
    r"(?:ละเว้น|เพิกเฉย|ไม่สนใจ|ลืม|ข้าม|อย่า[^\n]{0,6}?สนใจ)" + _G + r"(?:คำสั่ง|คำแนะนำ|ข้อกำหนด|กฎ)",
    r"(?:αγνόησ|ξέχασ|παράβλεψ|αγνοήστε)" + _G + r"(?:οδηγί|εντολ|κανόν)",
    r"(?:התעלם|שכח|אל תתייחס)" + _G + r"(?:הוראות|הנחיות|כללים)",
    r"(?:دستورالعمل|دستورات|قوانین)" + _G + r"(?:نادیده بگیر|فراموش کن)",
    r"\b(?:ignoruj|zapomeň|nevšímej si|ignorera|glöm|ignorer|glem|ignoră|uită)\w*"
    + _G
    + r"(?:instrukc|pokyn|pravid|instruktion|instruks|regler|anvisning|instrucțiun|instructiun)",
]
_ML_TERMS = (
    r"(?:prompt|mensaje|instrucciones) del sistema|instrucciones (?:iniciales|originales|"
    r"ocultas)|(?:prompt|invite|message|instructions) (?:du |de )?système|instructions "
    r"(?:initiales|d'origine|cachées)|system-?prompt|systemanweisung|systemnachricht|"
    r"(?:ursprünglich|anfänglich|versteckt)\w* anweisung|prompt di sistema|istruzioni "
    r"(?:iniziali|originali|di sistema|nascoste)|prompt do sistema|instruções (?:iniciais|"
    r"originais|do sistema|ocultas)|systeem-?prompt|systeeminstructies|системн\w+ (?:промпт|"
    r"подсказк|инструкци|сообщени)|(?:исходн|первоначальн)\w+ инструкци|prompt\w* systemow|"
    r"instrukcj\w* systemow|sistem (?:istem|komut|talimat|mesaj)|系统提示|系統提示|系统指令|"
    r"系統指令|初始指令|原始指令|系统消息|システムプロンプト|システムメッセージ|初期の?指示|"
    r"시스템 ?프롬프트|시스템 ?메시지|초기 ?지시|(?:موجه|تعليمات|رسالة|مطالبة) النظام|"
    r"सिस्टम प्र[ॉो]म्प्ट|सिस्टम संदेश|प्रारंभिक निर्देश|lời nhắc hệ thống|hướng dẫn hệ thống|"
    r"prompt sistem|instruksi sistem|הנחיית המערכת|הוראות המערכת|οδηγίες συστήματος|พรอมต์ระบบ|"
    r"সিস্টেম প্রম্পট"
)
_ML_REVEAL = (
    r"(?:revela|muestra|dime|imprime|repite|escribe|dame|comparte|cuál|révèle|montre|affiche|"
    r"répète|donne|dis|quel|zeig|verrat|gib|wiederhol|druck|nenn|was ist|rivela|mostra|dimmi|"
    r"stampa|ripeti|dammi|qual|revele|mostre|diga|imprima|repita|toon|geef|herhaal|onthul|"
    r"покажи|раскрой|выведи|напечатай|повтори|скажи|расскажи|какой|какие|pokaż|ujawnij|wypisz|"
    r"powtórz|podaj|göster|açıkla|yazdır|tekrarla|söyle|nedir|显示|透露|告诉|告訴|输出|輸出|打印|"
    r"重复|重複|泄露|展示|是什么|教えて|表示|見せて|出力|繰り返|開示|보여|알려|출력|공개|반복|"
    r"اكشف|أظهر|اعرض|اطبع|كرر|أخبرني|दिखा|बता|प्रकट|दोहरा|hiển thị|tiết lộ|cho tôi|tunjukkan|"
    r"ungkapkan|ulangi|הצג|גלה|δείξε|αποκάλυψε)"
)
_ML_LOGIN_WORDS = (
    r"contraseña|mot de passe|passwort|\bsenha\b|wachtwoord|пароль|hasło|şifre|parola|密码|密碼|"
    r"パスワード|비밀번호|كلمة (?:المرور|السر)|पासवर्ड|mật khẩu|kata sandi|סיסמה|κωδικός|"
    r"รหัสผ่าน|clave secreta|clé secrète|geheimen? schlüssel|chiave segreta|chave secreta|"
    r"секретн\w+ ключ|gizli anahtar|秘密鍵|密钥|비밀 ?키|المفتاح السري|गुप्त कुंजी"
)
_ML_ASK = (
    r"(?:cuál es|quel est|was ist|wie lautet|qual è|qual é|wat is|какой|каков|jaki jest|nedir|"
    r"是什么|是甚麼|は何|何ですか|무엇|뭐|ما هي|ما هو|क्या है|là gì|\bapa\b|\b(?:tu|ta|votre|ton|ihr|"
    r"dein|tuo|tua|sua|seu|je|uw|твой|ваш|twoje|senin)\b|너의|당신의|あなたの)"
)
_ML_AUTHORITY = (
    r"\b(?:soy|je suis|ich bin|sono|sou|ik ben|я|jestem|ben|saya|tôi là)\s+(?:tu|votre|ton|dein|"
    r"ihr|il tuo|o teu|o seu|je|твой|ваш|twój|senin|anda)?\s*(?:desarrollador|développeur|"
    r"entwickler|sviluppatore|desenvolvedor|ontwikkelaar|разработчик|twórca|programista|"
    r"geliştirici\w*|creador|créateur|schöpfer|creatore|criador|pengembang|nhà phát triển|dios|"
    r"dieu|gott|dio|deus|god|бог|bogiem|tanrı\w*|chúa|tuhan)\b|我是(?:你的)?(?:开发者|開發者|神|上帝)|"
    r"私は(?:あなたの)?(?:開発者|神)|나는 (?:당신의 |너의 )?(?:개발자|신)|أنا (?:المطور|الله|إله)|"
    r"(?:OpenAI|Anthropic)[^\n]{0,25}?(?:开发|開発|개발|développée|sviluppat|entwickelt|"
    r"desarrollad|desenvolvid|dikembangkan|разработанн|geliştir|phát triển|تطوير|विकसित|তৈরি)|"
    r"(?:开发|開発|개발|développée|sviluppat|entwickelt|desarrollad|desenvolvid|dikembangkan|"
    r"разработанн|phát triển)[^\n]{0,25}?(?:OpenAI|Anthropic)"
)
_ML_MODE = (
    r"(?:\b(?:modo|mode|modus|modalità)\b|режим\w*|模式|モード|모드|โหมด|وضع)[^\n]{0,15}?(?:mantenimiento|"
    r"maintenance|wartung|manutenzione|manutenção|обслуживани|维护|メンテナンス|유지보수|anulación|"
    r"override|オーバーライド|覆盖|재정의|تجاوز|sistema|système|system|систем|系统|システム|시스템|"
    r"dios|dieu|gott|tuhan|神)|(?:mantenimiento|wartung|manutenzione|обслуживани|"
    r"维护|メンテナンス|유지보수|オーバーライド|覆盖|재정의|تجاوز|系统|システム|시스템|神)[^\n]{0,6}?"
    r"(?:\bmodo|\bmode\b|\bmodus|\bmodalità|режим|模式|モード|모드|โหมด|وضع)"
)

_ML_OVERRIDE_ANCHORS = [
    "instrucci|indicaciones|reglas|órdenes|directrices|normas",
    "instruction|consigne|directive|règles|ordres|indications",
    "anweisung|instruktion|befehl|regeln|vorgaben|richtlinien",
    "ignorier|vergess|missacht",
    "istruzion|indicazion|regole|direttive|ordini",
    "instruç|instruc|orientaç|regras|diretrizes|ordens|comandos",
    "instructie|opdracht|regels|aanwijzing|richtlijn",
    "инструкци|указани|правил|команд|директив|приказ|інструкці|вказівк",
    "instrukcj|polece|zasad|wytyczn|reguł|komend",
    "yok say|yoksay|görmezden|unut|dikkate alma|göz ardı|umursama",
    "تعليمات|أوامر|توجيهات|قواعد|إرشادات",
    "अनदेख|नज़रअंदाज़|नजरअंदाज|भूल|उपेक्षा|ध्यान न|अवहेलना",
    "উপেক্ষা|ভুলে|অগ্রাহ্য",
    "指令|指示|说明|說明|规则|規則|提示|命令|要求|设定|設定|限制",
    "無視|忘れ|破棄",
    "무시|잊어|잊으|따르지",
    "hướng dẫn|chỉ dẫn|chỉ thị|lệnh|quy tắc|mệnh lệnh",
    "instruksi|perintah|petunjuk|arahan|aturan",
    "tagubilin|instruksyon|utos|panuto|patakaran",
    "คำสั่ง|คำแนะนำ|ข้อกำหนด|กฎ",
    "οδηγί|εντολ|κανόν",
    "הוראות|הנחיות|כללים",
    "نادیده|فراموش",
    "instrukc|pokyn|pravid|instruktion|instruks|regler|anvisning|instrucțiun|instructiun",
]
_ML_TERM_ANCHORS = (
    "sistema|système|systeme|system-prompt|systemprompt|systemanweisung|systemnachricht|"
    "sistem |sistem i|iniciales|originales|ocultas|initiales|origine|"
    "cachées|anweisung|iniziali|originali|nascoste|iniciais|originais|systeem|системн|исходн|"
    "первоначальн|systemow|系统|系統|初始指令|原始指令|システム|初期|시스템|초기|النظام|सिस्टम|"
    "प्रारंभिक|hệ thống|המערכת|συστήματος|ระบบ|সিস্টেম"
)
_ML_LOGIN_ANCHORS = (
    "contraseña|mot de passe|passwort|senha|wachtwoord|пароль|hasło|şifre|parola|密码|密碼|"
    "パスワード|비밀번호|كلمة|पासवर्ड|mật khẩu|kata sandi|סיסמה|κωδικός|รหัสผ่าน|clave secreta|"
    "clé secrète|schlüssel|chiave segreta|chave secreta|ключ|gizli anahtar|秘密鍵|密钥|비밀|"
    "المفتاح|गुप्त कुंजी"
)


# Developer/creator/god words of _ML_AUTHORITY, the second thing its matches must contain.
_DEVELOPER_WORDS = (
    "desarrollador|développeur|entwickler|sviluppatore|desenvolvedor|ontwikkelaar|разработ|"
    "twórca|programista|geliştir|creador|créateur|schöpfer|creatore|criador|pengembang|"
    "phát triển|dios|dieu|gott|dio|deus|god|бог|tanrı|chúa|tuhan|开发|開發|開発|개발|神|上帝|신|"
    "المطور|الله|إله|développée|sviluppat|entwickelt|desarrollad|desenvolvid|dikembangkan|"
    "تطوير|विकसित|তৈরি"
)

RULES: list[Rule] = [
    rule(f"ml_override_{i}", "override", 0.85, rx, anchors=a)
    for i, (rx, a) in enumerate(zip(_ML_OVERRIDE, _ML_OVERRIDE_ANCHORS, strict=True))
]
RULES += [
    rule(
        "ml_authority",
        "authority",
        0.45,
        _ML_AUTHORITY,
        anchors=(
            "soy|je suis|ich bin|sono|sou|ik ben|я |jestem|ben |saya|tôi là|我是|私は|나는|أنا|"
            "openai|anthropic"
        ),
        also=_DEVELOPER_WORDS,
    ),
    rule(
        "ml_mode",
        "authority",
        0.45,
        _ML_MODE,
        anchors="modo|mode|modus|modalità|режим|模式|モード|모드|โหมด|وضع",
    ),
]
RULES += [
    rule("ml_system_prompt", "extraction", 0.35, _ML_TERMS, anchors=_ML_TERM_ANCHORS),
    rule(
        "ml_reveal_system_prompt",
        "extraction",
        0.8,
        _ML_TERMS,
        near=_ML_REVEAL,
        anchors=_ML_TERM_ANCHORS,
    ),
    rule("ml_secret", "extraction", 0.3, _ML_LOGIN_WORDS, anchors=_ML_LOGIN_ANCHORS),
    rule(
        "ml_secret_ask",
        "extraction",
        0.5,
        _ML_LOGIN_WORDS,
        neg=True,
        near=_ML_ASK,
        anchors=_ML_LOGIN_ANCHORS,
    ),
    rule(
        "ml_ignore_x_and_say",
        "override",
        0.7,
        r"\b(?:ignora|ignore[zr]?|ignorier\w*|ignori|ignorem|negeer|игнорир\w*|olvida|oublie[zr]?)"
        r"\s+(?:\w+\s+){1,3}(?:y|et|und|e|en|и)\s+(?:di|dí|dis|dites|indique[zs]?|declara|"
        r"déclare[zs]?|sag|sage|gib|scrivi|escreva|escribe|diga|zeg|скажи|напиши|écri[stv]e?z?|"
        r"responde|réponds|répondez|antworte|afirma|affirme[zs]?|stampa|imprime)\b",
        anchors="ignor|игнорир|olvida|oublie|negeer",
    ),
]


# "All my questions", "a system check/upgrade/audit", "law enforcement" and "regardless of the
# previous tasks": pretexts that turn a claimed identity into an attack.
_ML_ALL_QUESTIONS = (
    r"(?:todas|alle|tutte|toutes|все|tất cả|semua|tüm|모든|所有|すべて|सभी|جميع|كل)\s*(?:\w+\s+)?"
    r"(?:preguntas|fragen|domande|perguntas|questions|вопрос\w*|câu hỏi|pertanyaan|soru\w*|"
    r"질문|问题|問題|質問|सवाल|प्रश्न|الأسئلة|أسئلتي|tanong)"
)
_ML_SYSTEM_CHECK = (
    r"sistem yükseltme|sistem kontrol|nâng cấp hệ thống|kiểm tra hệ thống|atualização do sistema|"
    r"verificação do sistema|vérification (?:du )?système|mise à niveau du système|systemprüfung|"
    r"systemaktualisierung|systemupgrade|controllo del sistema|aggiornamento del sistema|"
    r"verificación del sistema|actualización del sistema|проверк\w* систем\w*|обновлени\w* "
    r"систем\w*|시스템 점검|시스템 업그레이드|系统检查|系统升级|システムチェック|"
    r"システムアップグレード|सिस्टम चेक|सिस्टम अपग्रेड|सुरक्षा ऑडिट|auditoría de seguridad|"
    r"audit de sécurité|sicherheitsaudit|audit di sicurezza|auditoria de segurança|аудит "
    r"безопасности|güvenlik denetimi|audit keamanan|kiểm tra bảo mật|보안 감사|安全审计|"
    r"セキュリティ監査|تدقيق أمني|ترقية النظام|فحص النظام|peningkatan sistem|pemeriksaan sistem"
)
_ML_LAW = (
    r"aplicación de la ley|forces de l'ordre|strafverfolgung|forze dell'ordine|aplicação da lei|"
    r"правоохранительн|kolluk|penegakan hukum|thực thi pháp luật|법 집행|执法|法執行|法強化|"
    r"تطبيق القانون|कानून प्रवर्तन|บังคับใช้กฎหมาย|pagpapatupad ng batas"
)
_ML_REGARDLESS = (
    r"(?:independentemente|independientemente|indépendamment|unabhängig|indipendentemente|"
    r"ongeacht|независимо|bağımsız|terlepas|bất kể|無論|不管|无论|とは関係なく|に関係なく|상관없이|"
    r"بغض النظر|परवाह किए बिना|anuman)[^\n]{0,40}?(?:anterior|previous|vorherig|précédent|"
    r"vorig|precedent|предыдущ|önceki|sebelum|trước|之前|以前|이전|السابقة|पिछले|nakaraan)"
    r"|(?:anterior|vorherig|précédent|precedent|предыдущ|önceki|sebelum|trước|之前|以前|이전|"
    r"السابقة|पिछले)[^\n]{0,40}?(?:independentemente|independientemente|indépendamment|"
    r"unabhängig|bağımsız|terlepas|bất kể|無論|不管|无论|関係なく|상관없이|بغض النظر|"
    r"परवाह किए बिना)"
)
# "Ignore the above", without naming instructions.
_ML_IGNORE_ABOVE = (
    r"\b(?:ignora|olvida|ignore[zr]?|oublie[zr]?|ignorier\w*|vergiss|ignori|dimentica|ignorem|"
    r"esqueça|negeer|vergeet)\s+(?:\w+\s+){0,2}?(?:lo anterior|lo de arriba|ce qui précède|"
    r"ci-dessus|das obige|das vorherige|alles obige|alles vorherige|quanto sopra|ciò che precede|"
    r"o que está acima|o anterior|het bovenstaande|het voorgaande)"
    r"|(?:игнорир\w*|забудь\w*)\s+(?:всё\s+|все\s+)?(?:вышесказанное|вышеизложенное|"
    r"сказанное выше|предыдущее)|yukarıdaki\w*\s+(?:\w+\s+)?(?:görmezden gel|yok say|unut)|"
    r"\babaikan\s+(?:yang\s+)?(?:di atas|sebelumnya)|bỏ qua\s+(?:những\s+)?(?:điều|phần|nội dung)"
    r"\s+(?:trên|ở trên|trước)|忽略(?:上面|以上|上述|前面)|上記を無視"
    r"|(?:위의?|앞의)\s*(?:내용|것)을?\s*무시"
)
# A poem, haiku or acrostic about the password: the secret asked for sideways.
_ML_CREATIVE = (
    r"haiku|poema|poème|poesia|poesía|gedicht|acróstico|acrostique|akrostichon|acrostico|"
    r"historia|histoire|geschichte|storia|história|canción|chanson|canzone|стихотворени|"
    r"акростих|şiir|puisi|bài thơ|诗|詩|시를|kuwento|tula|कविता|قصيدة"
)
# Personal data of "the user" or of a named person.
_ML_USER_DATA = (
    r"(?:correo electrónico|dirección de correo|fecha de nacimiento|año de nacimiento|ciudad de "
    r"residencia|iniciales|número de teléfono|adresse e-mail|adresse électronique|date de "
    r"naissance|année de naissance|ville de résidence|initiales|numéro de téléphone|"
    r"e-mail-adresse|geburtsdatum|geburtsjahr|wohnort|initialen|telefonnummer|indirizzo email|"
    r"data di nascita|anno di nascita|città di residenza|iniziali|numero di telefono|endereço "
    r"de e-mail|data de nascimento|ano de nascimento|cidade de residência|iniciais|número de "
    r"telefone)[^\n]{0,25}?(?:del usuario|de l'utilisateur|des benutzers|dell'utente|do "
    r"usuário|do utilizador|de (?-i:[A-Z])|von (?-i:[A-Z])|di (?-i:[A-Z]))"
)
ML_PRETEXT_RULES = [
    rule(
        "ml_ignore_above",
        "override",
        0.75,
        _ML_IGNORE_ABOVE,
        anchors="ignor|olvida|oublie|vergiss|dimentica|esqueça|negeer|vergeet|игнорир|забудь|"
        "yukarıdaki|abaikan|bỏ qua|忽略|上記を無視|무시",
    ),
    rule(
        "ml_secret_creative",
        "extraction",
        0.5,
        _ML_LOGIN_WORDS,
        near=_ML_CREATIVE,
        anchors=_ML_LOGIN_ANCHORS,
    ),
    rule(
        "ml_user_data",
        "extraction",
        0.35,
        _ML_USER_DATA,
        anchors="correo|dirección|nacimiento|residencia|iniciales|teléfono|adresse|naissance|"
        "résidence|initiales|téléphone|e-mail-adresse|geburts|wohnort|initialen|telefonnummer|"
        "indirizzo|nascita|iniziali|telefono|endereço|nascimento|residência|iniciais|telefone",
    ),
    rule(
        "ml_all_questions",
        "authority",
        0.35,
        _ML_ALL_QUESTIONS,
        anchors="todas|alle|tutte|toutes|все|tất cả|semua|tüm|모든|所有|すべて|सभी|جميع|كل",
    ),
    rule(
        "ml_system_check",
        "authority",
        0.3,
        _ML_SYSTEM_CHECK,
        anchors="sistem yükseltme|sistem kontrol|hệ thống|do sistema|del sistema|système|"
        "systemprüfung|systemaktualisierung|systemupgrade|систем|시스템|系统|システム|सिस्टम|"
        "ऑडिट|auditoría|audit de|sicherheitsaudit|audit di|auditoria|аудит|güvenlik|bảo mật|보안|"
        "安全|セキュリティ|تدقيق|النظام|peningkatan sistem|pemeriksaan sistem",
    ),
    rule(
        "ml_law_enforcement",
        "authority",
        0.3,
        _ML_LAW,
        anchors=(
            "aplicación de la ley|forces de l'ordre|strafverfolgung|forze dell'ordine|"
            "aplicação da lei|"
            "правоохранительн|kolluk|penegakan hukum|thực thi pháp luật|법 집행|执法|法執行|法強化|"
            "تطبيق القانون|कानून प्रवर्तन|บังคับใช้กฎหมาย|pagpapatupad ng batas"
        ),
    ),
    rule(
        "ml_regardless_previous",
        "override",
        0.6,
        _ML_REGARDLESS,
        anchors="independentemente|independientemente|indépendamment|unabhängig|indipendentemente|"
        "ongeacht|независимо|bağımsız|terlepas|bất kể|無論|不管|无论|関係なく|상관없이|بغض النظر|"
        "परवाह किए बिना|anuman",
    ),
]

# Negations in the languages of the multilingual rules ("no reveles", "ne révèle pas", ...).
NEGATION = re.compile(
    r"(?:\b(?:no|nunca|jamás|ne|jamais|nicht|niemals|kein\w*|non|mai|não|niet|nooit|не|никогда|"
    r"nie|nigdy|asla|hiçbir)\b|不要|别|絶対に|しないで|لا |मत |कभी न)[^.!?\n:;。！？]*\Z",
    re.IGNORECASE,
)
