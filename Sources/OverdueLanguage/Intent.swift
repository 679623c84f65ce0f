import OverdueCore

/// Weighted cue phrases per intent, matched as whole words on normalised text (see
/// `NormalizedText`: contractions read "we ll", accents are folded). General phrasings of each
/// intent in English, Spanish and French — never whole sentences from a data set.
enum Cues {
    typealias Table = [(String, Double)]

    static let promise: Table = [
        ("will pay", 3), ("we ll pay", 3), ("i ll pay", 3), ("ill pay", 3), ("will be paid", 3), ("going to pay", 3), ("gonna pay", 3),
        ("we re paying", 3), ("paying", 1.5), ("will go out", 3), ("go out in", 2), ("goes out", 2.5), ("will be released", 3),
        ("will be remitted", 3), ("will be settled", 3), ("scheduled for", 2), ("queued for", 2.5), ("payment batch", 1.5),
        ("check run", 1.5), ("ach run", 1.5), ("cut a check", 2.5), ("in the mail by", 3), ("sending it", 2.5), ("get you paid", 3),
        ("expect it", 2), ("passed for payment", 3), ("will be done", 2), ("release payment", 2), ("pay out", 2), ("will pay out", 3),
        ("programada para pago", 3), ("pagaremos", 3), ("vamos a pagar", 3), ("le deposito", 3), ("i deposit", 3), ("te deposito", 3),
        ("will process", 1), ("will be processed", 1.5), ("approved", 1), ("promise", 1), ("will send payment", 3), ("sending payment", 3), ("send payment", 2.5), ("make payment", 2), ("make the payment", 2), ("send the payment", 2.5),
        ("nous paierons", 3), ("sera paye", 3), ("will remit", 3), ("wire it", 2), ("send the check", 2), ("mail the check", 1),
    ]
    static let paid: Table = [
        ("already paid", 4), ("was paid", 3.5), ("were paid", 3.5), ("paid in full", 3), ("we paid", 3.5), ("i paid", 3.5), ("paid on", 2.5),
        ("paid thru", 3), ("paid through", 3), ("paid via", 3), ("paid yesterday", 3.5), ("paid last", 3.5), ("paid that", 3), ("paid this", 3),
        ("payment was made", 3.5), ("payment went out", 3.5), ("was released", 3), ("sent the wire", 3.5), ("sent that check", 3.5),
        ("sent the check", 3), ("check was cut", 3.5), ("was settled", 3.5), ("settled by", 2.5), ("cleared on", 3), ("was mailed", 3),
        ("ya se pago", 4), ("ya pagamos", 4), ("se pago", 3), ("remittance advice", 2.5), ("proof of payment", 3), ("comprobante", 2.5),
        ("as paid", 2.5), ("payment issued", 2.5), ("was made on", 2.5), ("it went out", 2.5), ("deja paye", 4), ("a ete paye", 4),
        ("payment was sent", 3.5), ("we sent", 1.5), ("squared away", 1.5), ("paid", 1),
    ]
    static let dispute: Table = [
        ("dispute", 3), ("disputing", 3), ("disputed", 3), ("not valid", 3), ("never authorized", 3), ("never ordered", 3), ("not approved", 2.5),
        ("wrong amount", 3), ("wrong rate", 3), ("wrong weight", 3), ("rate con says", 2.5), ("agreed rate", 2.5), ("not paying", 2.5),
        ("won t pay", 2.5), ("will not pay", 2.5), ("not owe", 2.5), ("never owed", 3), ("duplicate", 3), ("dup", 3), ("billed twice", 3),
        ("charging us", 2), ("twice", 1), ("damaged", 2.5), ("damage", 2), ("crushed", 2.5), ("shortage", 2.5), ("missing", 1.5), ("short", 1),
        ("claim", 2), ("rejected", 1.5), ("refused", 1.5), ("never delivered", 3.5), ("never made it", 3), ("never happen", 3),
        ("not delivered", 3.5), ("detention", 1.5), ("lumper", 1.5), ("layover", 1.5), ("tonu", 2), ("fuel surcharge", 1.5), ("overcharge", 3),
        ("overcharged", 3), ("correct it", 2), ("please correct", 2.5), ("corrected invoice", 2.5), ("credit note", 2.5), ("credit us", 2.5),
        ("re bill", 2.5), ("rebill", 2.5), ("reissue", 2.5), ("remove the", 2), ("no estamos de acuerdo", 4),
        ("don t agree", 3), ("dont agree", 3), ("do not agree", 3), ("fixed", 1), ("holding payment", 2.5), ("on hold", 1.5), ("offset", 2.5),
        ("billed us", 2), ("you billed", 2), ("bills us", 2), ("add up", 2), ("cannot accept", 2.5), ("was not approved", 2.5), ("nunca se autorizo", 3),
        ("favor de corregir", 3), ("cargo", 1), ("not right", 2), ("contestons", 3), ("pas d accord", 3),
    ]
    static let document: Table = [
        ("send", 1), ("resend", 2), ("re send", 2), ("forward", 1), ("email", 0.5), ("need", 1), ("upload", 1.5), ("copy of", 2), ("a copy", 1.5),
        ("can you send", 2), ("please send", 1.5), ("wheres the", 2), ("where s the", 2), ("never got", 1), ("never came", 1), ("missing the", 1.5),
        ("mandeme", 2.5), ("reenviar", 2.5), ("enviar", 1.5), ("envoyer", 2), ("until you send", 3), ("before we can pay", 2), ("before i can pay", 2),
        ("before i can approve", 2), ("can t process payment without", 3), ("illegible", 1.5), ("clear copy", 1.5),
    ]
    static let documentNouns: [String] = [
        "pod", "p o d", "proof of delivery", "delivery note", "delivery receipt", "prueba de entrega", "bol", "bill of lading", "rate con",
        "rate confirmation", "ratecon", "w9", "w 9", "statement", "estado de cuenta", "invoice copy", "copy of the invoice", "the invoice",
        "the actual invoice", "factura", "receipt", "cfdi",
    ]
    static let plan: Table = [
        ("payment plan", 4), ("payment arrangement", 4), ("instalment", 3.5), ("instalments", 3.5), ("installment", 3.5), ("installments", 3.5),
        ("split", 2), ("half now", 3.5), ("now and the rest", 3.5), ("now and then", 2.5), ("partial payment", 3), ("partial payments", 3),
        ("pagos parciales", 4), ("a week until", 3), ("wk til", 3), ("per week", 2), ("biweekly", 2.5), ("every two weeks", 2.5), ("cada quincena", 3),
        ("cash is tight", 3), ("cash flow", 2.5), ("behind on", 2), ("struggling", 2.5), ("rough patch", 2.5), ("work something out", 3.5),
        ("can t do the whole", 3), ("cant do it all", 3), ("can t pay the full", 3), ("cannot pay the full", 3), ("flexibility", 2.5),
        ("no tenemos liquidez", 4), ("hold off", 2), ("make payments", 3), ("2 payments", 3), ("two payments", 3), ("separate payments", 3),
        ("bankruptcy", 2), ("payments over", 2.5), ("in payments", 3), ("money is tight", 3), ("is tight", 2), ("three payments", 3), ("3 payments", 3), ("the rest", 1.5), ("until paid off", 3), ("until it s paid", 3), ("until the balance", 2), ("need some time", 2.5), ("all at once", 2.5), 
        ("business has been slow", 2.5), ("been slow", 1.5), ("plan de pagos", 4),
    ]
    static let wrongContact: Table = [
        ("wrong person", 4), ("not the right person", 4), ("wrong number", 4), ("wrong #", 4), ("wrong company", 4), ("wrong department", 4),
        ("left the company", 4), ("left that company", 4), ("no longer handle", 4), ("doesn t work here", 4), ("don t work for", 3.5),
        ("ya no trabajo", 4), ("not me", 2.5), ("i m just the", 3), ("im just the", 3), ("contact our", 1.5), ("please contact", 1),
        ("send them to", 3.5), ("bill them", 3), ("not the bill to", 4), ("personal cell", 3), ("customer service", 1.5), ("never used", 2), ("this isn t", 2),
        ("you ll want", 2), ("you need to call our", 2.5), ("are now handled by", 3), ("is now handled by", 3),
        ("no longer with", 3.5), ("no longer works", 4), ("is handled by", 2), ("are handled by", 2), ("ask for", 1.5),
        ("stop sending invoices to this", 2), ("favor de escribir a", 2), ("not the right", 2.5), ("works here", 1),
    ]
    static let optOut: Table = [
        ("unsubscribe", 4), ("remove me", 4), ("take me off", 4), ("do not contact", 4), ("don t contact", 4), ("dont contact", 4),
        ("stop calling", 4), ("stop texting", 4), ("stop emailing", 4), ("stop messaging", 4), ("quit texting", 4), ("quit calling", 4),
        ("don t call me", 4), ("dont call me", 4), ("do not call", 4), ("cease all", 3), ("stop all", 3), ("cease contact", 4), ("dejen de", 4), ("no more", 1.5),
        ("mailing list", 2.5), ("call list", 2.5), ("no me contacten", 4), ("ne plus me contacter", 4), ("don t text", 4),
        ("stop contacting", 4), ("opt out", 2.5), ("stop sending me", 3),
    ]
    static let callback: Table = [
        ("call me", 3), ("call me back", 3.5), ("call back", 3), ("callback", 3), ("ring me", 3.5), ("give me a call", 3.5), ("call after", 3),
        ("can you call", 3), ("can u call", 3), ("call you back", 1), ("llamar", 3), ("llamen", 3), ("by phone", 2.5), ("on the phone", 1.5),
        ("returning your call", 2), ("missed your call", 2.5), ("appeler", 3), ("rappeler", 3.5), ("call tmrw", 3.5), ("call tomorrow", 3.5),
        ("call later", 3.5), ("best number", 1.5),
    ]
    static let question: Table = [
        ("how much", 2.5), ("what s the", 2), ("whats the", 2), ("what is the", 2), ("which invoice", 2.5), ("which invoices", 2.5), ("which load", 2.5),
        ("where do i", 2.5), ("how do i", 2.5), ("can i pay", 2.5), ("do you accept", 2.5), ("is there a way", 2.5), ("do we pay", 2.5),
        ("cual es", 2.5), ("a que cuenta", 2.5), ("is this the", 1.5), ("who is", 2), ("could you tell me", 2.5), ("can you confirm", 1.5),
        ("can i just", 1.5), ("balance", 1), ("owe", 1), ("remit", 1), ("remit to", 1.5), ("bank details", 2), ("iban", 2), ("swift", 1.5),
        ("pay by card", 2.5), ("credit card", 2), ("pay online", 2), ("pay over the phone", 2.5), ("saldo", 1.5), ("still showing open", 2),
        ("where to send", 2), ("mail the check", 1.5), ("combien", 2), ("do u need", 1.5), ("make up", 1),
    ]
    static let autoReply: Table = [
        ("out of office", 3.5), ("out of the office", 3.5), ("auto reply", 4), ("autoreply", 4), ("automatic reply", 4), ("automated response", 4),
        ("this is an automated", 4), ("unattended mailbox", 4), ("no longer monitored", 4), ("annual leave", 3.5), ("parental leave", 3.5),
        ("maternity leave", 3.5), ("on vacation", 3), ("limited access to email", 3.5), ("will return on", 2.5), ("returning on", 2), ("back on", 1),
        ("ticket #", 2.5), ("business days", 1), ("has been received", 2), ("has been created for your request", 3.5), ("thank you for contacting", 2.5), ("thanks for your message", 2),
        ("your email has been received", 3.5), ("does not accept text messages", 4), ("respuesta automatica", 4), ("fuera de la oficina", 4),
        ("you ve reached", 3), ("leave a message", 3), ("de retour", 3), ("absente du bureau", 4), ("absent du bureau", 4),
        ("do not reply to this email", 3.5), ("will respond", 1.5), ("upon my return", 3), ("when i return", 2),
        ("message has been received", 3), 
        
    ]
    static let acknowledge: Table = [
        ("forwarded", 2.5), ("fwd to", 3), ("forward this", 2), ("passing along", 3), ("pass it along", 3), ("passing this", 2), ("escalated", 2.5),
        ("looking into", 3), ("look into", 3), ("will check", 3), ("checking with", 3), ("check with", 2.5), ("get back to you", 2.5),
        ("revert", 2.5), ("noted", 2.5), ("received", 1.5), ("got it", 2.5), ("will review", 2.5), ("for review", 1.5), ("let you know", 2),
        ("reviso", 3), ("recibido", 3), ("le aviso", 2.5), ("ask my boss", 3), ("with my boss", 3), ("with my manager", 3), ("submitted for approval", 3),
        ("in the queue", 2), ("give you a date", 2), ("chase this", 2.5), ("reach out if", 2),
        ("we ll reconcile", 2), ("thanks for the reminder", 1), ("thank you for the reminder", 1), ("ok", 1.5), ("k", 1), ("okay", 1.5),
        ("thx", 0.5), ("ill ask", 2.5), ("i ll ask", 2.5), 
    ]
    static let abusive: Table = [
        ("f***", 5), ("fuck", 5), ("fucking", 5), ("shit", 4), ("s***", 5), ("idiot", 4), ("idiots", 4), ("incompetent", 4), ("worthless", 4),
        ("pathetic", 4), ("clowns", 4), ("scam", 3), ("scammers", 4), ("leeches", 4), ("go to hell", 5), ("shove it", 5), ("pound sand", 5),
        ("a joke", 3), ("genius", 2.5), ("see what happens", 4), ("what happens", 2), ("i swear to god", 3), ("lose this number", 4),
        ("harassing", 3), ("garbage", 3), ("you people", 2), ("are you kidding me", 3), ("piece of", 2), ("morons", 4), ("stupid", 3.5),
        ("pendejos", 5), ("rateros", 4), ("ladrones", 4), ("cabrones", 5), ("connards", 5), ("hear from our lawyer", 2), ("garbage", 3),
    ]
    /// Words of the money side of the business: a question about them is a collections question.
    static let financeTopic: [String] = [
        "invoice", "invoices", "balance", "owe", "pay", "payment", "payments", "paid", "remit", "account", "bank", "ach", "wire", "check",
        "cheque", "statement", "amount", "total", "open", "factoring", "card", "iban", "swift", "saldo", "factura", "cuenta", "facture",
    ]
    static let negative: [String] = [
        "not paying", "won t pay", "will not pay", "never", "wrong", "dispute", "damaged", "late", "third", "fifth", "again", "stop", "tight",
        "struggling", "rough", "slow", "behind", "can t", "cannot", "wasting", "harass", "claim", "rejected", "refuse", "no estamos",
        "missing", "hold", "don t agree", "illegible", "problem", "unfortunately", "frozen", "bankruptcy", "sorry for the delay",
    ]
    static let positive: [String] = [
        "thanks for being patient", "thank you for your patience", "appreciate", "great", "happy", "glad", "promise", "approved",
        "pleasure", "no problem", "thank you very much", "many thanks",
    ]

    /// The tables with their phrases prepared for matching, built once.
    enum Compiled {
        typealias Weighted = [(NormalizedText.Needle, Double)]
        static func prepare(_ t: Table) -> Weighted { t.map { (NormalizedText.Needle($0.0), $0.1) } }
        static let promise = prepare(Cues.promise), paid = prepare(Cues.paid), dispute = prepare(Cues.dispute)
        static let document = prepare(Cues.document), plan = prepare(Cues.plan), wrongContact = prepare(Cues.wrongContact)
        static let optOut = prepare(Cues.optOut), callback = prepare(Cues.callback), question = prepare(Cues.question)
        static let autoReply = prepare(Cues.autoReply), acknowledge = prepare(Cues.acknowledge), abusive = prepare(Cues.abusive)
        static let documentNouns = Cues.documentNouns.map { NormalizedText.Needle($0) }
        static let financeTopic = Cues.financeTopic.map { NormalizedText.Needle($0) }
        static let negative = Cues.negative.map { NormalizedText.Needle($0) }
        static let positive = Cues.positive.map { NormalizedText.Needle($0) }
    }
}
