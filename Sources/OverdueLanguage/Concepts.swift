/// Word classes the reply model reads as features: general vocabulary of the collections
/// conversation in English, Spanish and French (paying, having paid, disagreeing, a freight document,
/// an insult…). A class fires when any of its words or phrases occurs; the model learns from the
/// training set how much each class says about each intent, so a Spanish or French reply benefits
/// from what the English ones taught about the same idea. These are closed classes of the
/// languages and the trade, not sentences from any data set. Phrases are written as
/// `NormalizedText` reads them: lower case, accents folded, apostrophes as spaces ("don t").
enum Concepts {
    static let table: [(String, [String])] = [
        (
            "pay_future",
            [
                "will pay", "ll pay", "going to pay", "gonna pay", "will send", "will be paid", "will go out", "will release", "will remit",
                "will wire", "will mail", "will process", "will be sent", "pagaremos", "vamos a pagar", "voy a pagar", "se pagara", "le pagamos",
                "depositaremos", "enviaremos", "vamos a depositar", "te pago", "le pago", "paierons", "allons payer", "vais payer", "sera paye",
                "sera payee", "ferons le paiement", "vais vous payer", "allons vous payer", "va etre paye",
            ]
        ),
        (
            "paid_past",
            [
                "paid", "we paid", "was paid", "sent the payment", "payment was sent", "wired", "mailed the check", "cleared", "remittance",
                "went out", "sent out", "was sent", "was mailed", "been paid", "posted", "processed on",
                "already sent", "ya pagamos", "ya se pago", "se pago", "pagamos", "pagado", "pagada", "deposite", "depositamos", "transferimos",
                "ya quedo", "paye", "payee", "avons paye", "a ete paye", "deja paye", "virement effectue", "avons envoye le paiement",
            ]
        ),
        (
            "disagree",
            [
                "dispute", "disputing", "disagree", "do not agree", "don t agree", "not correct", "incorrect", "wrong", "not right",
                "no estamos de acuerdo", "no es correcto", "incorrecto", "incorrecta", "error", "equivocado", "no corresponde",
                "pas d accord", "contestons", "conteste", "errone", "erronee", "erreur", "pas correct",
            ]
        ),
        (
            "damage",
            [
                "damaged", "damage", "crushed", "broken", "short", "shortage", "missing", "wet", "rejected", "refused",
                "danado", "danada", "danados", "danadas", "roto", "rotas", "faltante", "faltantes", "faltan", "mojado", "rechazada",
                "endommage", "endommagee", "endommages", "manquant", "manquantes", "abime", "abimees", "brise", "refuse",
            ]
        ),
        (
            "charge",
            [
                "detention", "lumper", "layover", "tonu", "fuel surcharge", "demurrage", "accessorial", "accessorials", "surcharge", "fee", "charge",
                "estadia", "estadias", "maniobras", "cargo", "cargos", "recargo", "frais", "frais d attente", "supplement",
            ]
        ),
        (
            "document",
            [
                "pod", "bol", "proof of delivery", "bill of lading", "rate con", "rate confirmation", "ratecon", "w9", "w 9", "statement", "copy",
                "pdf", "xml", "invoice copy", "carta porte", "evidencia de entrega", "acuse", "acuse de recibo", "estado de cuenta", "comprobante",
                "copia", "connaissement", "bon de livraison", "releve", "releve de compte", "preuve de livraison", "copie",
            ]
        ),
        (
            "send_request",
            [
                "send", "resend", "re send", "forward", "email me", "need", "attach", "envien", "enviar", "enviame", "envieme", "mandar",
                "manden", "mandeme", "reenviar", "necesito", "necesitamos", "ocupamos", "envoyer", "envoyez", "renvoyer", "faire parvenir",
                "avons besoin", "ai besoin",
            ]
        ),
        (
            "absent",
            [
                "out of office", "out of the office", "on vacation", "on leave", "away from", "return on", "back on", "limited access",
                "automatic reply", "auto reply", "autoreply", "automated", "do not reply", "voicemail", "leave a message", "you ve reached",
                "after the tone", "press", "fuera de la oficina", "de vacaciones", "regreso el", "estare fuera", "respuesta automatica", "deje su mensaje",
                "has llamado", "marque", "absent", "absente", "en conge", "en vacances", "de retour", "reponse automatique", "laissez un message",
                "vous avez joint", "appuyez",
            ]
        ),
        (
            "instalments",
            [
                "installments", "installment", "instalments", "instalment", "payments of", "split", "partial", "half now", "payment plan",
                "a plan", "cash flow", "tight", "struggling", "extension", "more time", "freeze", "pagos", "parcialidades", "abonos", "plazos",
                "mensualidades", "dificil", "dificultades", "prorroga", "mas tiempo", "versements", "echelonner", "etaler", "plan de paiement",
                "difficultes", "difficile", "delai", "plus de temps",
            ]
        ),
        (
            "full_payment",
            [
                "full amount", "in full", "the full", "the whole", "whole amount", "entire", "everything", "all of it", "the balance",
                "total", "todo", "completo", "completa", "la totalite", "au complet", "en entier", "tout le montant",
            ]
        ),
        (
            "not_me",
            [
                "wrong person", "wrong number", "wrong company", "not the right", "no longer", "not with", "left the company", "don t work",
                "doesn t work", "retired", "not our", "never did business", "numero equivocado", "persona equivocada", "ya no trabaja",
                "no trabajo", "ya no esta", "no somos", "mauvais numero", "ne travaille plus", "n est plus", "pas la bonne personne", "mauvaise personne",
            ]
        ),
        (
            "stop_contact",
            [
                "stop calling", "stop texting", "stop emailing", "stop messaging", "stop contacting", "stop sending me", "stop the calls",
                "unsubscribe", "remove me", "remove my", "remove this number", "remove us", "take me off", "lose my number",
                "do not contact", "don t contact", "don t call", "do not call", "don t text", "no more calls", "no more texts",
                "no more emails", "any more calls", "any more texts", "quit calling", "quit texting", "cease", "dejen de", "no me llamen",
                "no llamen", "no me escriban", "no me contacten", "no me manden", "borrenme", "darme de baja", "arretez de", "cessez",
                "ne plus m", "ne m appelez plus", "desabonner", "retirez moi",
            ]
        ),
        (
            "call",
            [
                "call", "phone", "ring", "reach me", "llamar", "llamame", "llameme", "llamen", "marcar", "marcame", "appeler", "appelez",
                "rappeler", "rappelez", "telephone",
            ]
        ),
        (
            "thanks_ack",
            [
                "thanks", "thank you", "noted", "received", "got it", "ok", "okay", "will check", "look into", "looking into", "forwarded",
                "passed", "gracias", "recibido", "enterado", "lo reviso", "revisamos", "lo checo", "merci", "recu", "bien recu",
                "pris note", "transmis", "je verifie", "on verifie",
            ]
        ),
        (
            "insult",
            [
                "idiot", "idiots", "stupid", "moron", "morons", "incompetent", "worthless", "useless", "clowns", "scam", "scammers", "crooks",
                "thieves", "pathetic", "garbage", "shut up", "go to hell", "fuck", "fucking", "shit", "crap", "damn", "ass", "f***", "s***", "bs",
                "pendejo", "pendejos", "idiota", "idiotas", "estupido", "estupidos", "ladrones", "rateros", "cabron", "cabrones", "chinga",
                "mierda", "imbecile", "imbeciles", "connard", "connards", "voleurs", "merde", "crisse", "tabarnak", "maudit", "niaiseux",
            ]
        ),
        (
            "question_word",
            [
                "what", "which", "where", "how", "when", "who", "why", "is there", "can i", "can we", "do you", "does", "is it",
                "cual", "cuales", "cuanto", "cuanta", "donde", "como", "cuando", "quien", "a que", "quel", "quelle", "quels", "combien",
                "ou", "comment", "quand", "pourquoi", "est ce que",
            ]
        ),
        (
            "account_topic",
            [
                "balance", "remit", "remit to", "bank", "account", "ach", "wire", "card", "address", "routing", "total", "owe",
                "saldo", "cuenta", "banco", "clabe", "transferencia", "adeudo", "debemos", "solde", "compte", "banque", "virement",
                "adresse", "devons",
            ]
        ),
        (
            "condition",
            [
                "once", "until", "as soon as", "after", "when we", "soon as", "hasta que", "una vez", "en cuanto", "tan pronto",
                "des que", "une fois", "jusqu a", "avant de",
            ]
        ),
        (
            "frequency",
            [
                "every", "each", "per week", "per month", "weekly", "monthly", "biweekly", "cada", "por semana", "al mes", "semanal",
                "mensual", "quincenal", "chaque", "par semaine", "par mois", "mensuel",
            ]
        ),
        (
            "deadline",
            [
                "at the latest", "no later than", "not later than", "latest by", "by the end of", "on or before", "a mas tardar", "a mas tardar el",
                "antes del", "au plus tard", "d ici", "avant le",
            ]
        ),
        (
            "commitment",
            [
                "promise", "guarantee", "for sure", "definitely", "i assure", "te lo prometo", "sin falta", "seguro", "sans faute",
                "je vous assure", "promis", "garanti", "committed", "approved",
            ]
        ),
    ]

    /// Every phrase of every class, indexed by its words (the value is the class's position in `table`).
    static let index = PhraseIndex(table.enumerated().flatMap { n, c in c.1.map { (phrase: $0, value: n) } })

    /// The positions in `table` of the classes present in `t`, in table order.
    static func present(in t: NormalizedText) -> [Int] {
        var found: UInt64 = 0
        for i in t.wordHashes.indices { index.matches(t.wordHashes, at: i) { value, _ in found |= 1 << UInt64(value) } }
        return table.indices.filter { found & (1 << UInt64($0)) != 0 }
    }
}
