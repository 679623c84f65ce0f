import OverdueCore

/// Which of the dates in a reply is the promise date (or an auto-reply's return date). Each date
/// is judged by the words between it and the expression or clause break before it:
/// - a call-back time, a document's date ("invoice dated 3/1", "your reminder of 6 July"), when
///   something happened to the freight ("picked up 6/18") and any past day are never promises;
/// - a day said with paying or sending ("goes out Friday", "mailing it Monday") beats one said with
///   a step before it ("approved today", "VP is back Monday to sign") or with the money arriving
///   ("you'll have it Thursday"): the promise is the day they pay or send;
/// - a day said after a correction ("Monday, no wait, Tuesday") replaces the one before it;
/// - a plan's promise date is its first payment: the earliest day, or "now"/"today" when an
///   amount is paid then ("$600 now and the rest on the 1st");
/// - a day beats a time frame; a frame alone gives a promise without a date.
enum PromiseDate {
    /// Words with paying or sending.
    static let payWords: WordSet = [
        "pay", "paid", "paying", "pays", "payment", "pmt", "send", "sending", "mail", "mailing", "mailed", "wire", "wiring", "ach", "transfer",
        "deposit", "release", "released", "process", "processed", "processes", "processing", "run", "out", "issue", "issued", "remit",
        "remitted", "scheduled", "schedule", "check", "chk", "cheque", "overnighted", "overnight", "fedex", "ship", "ships", "drop", "eft",
        "pagar", "pago", "pagamos", "pagaremos", "paga", "pagan", "pague", "depositar", "deposito", "transferencia", "sale", "envio", "mandar",
        "mando", "corrida", "programa", "payer", "paie", "paiement", "virement", "depot", "partira", "paierons", "paye", "envoi", "versement",
        "liquidar", "abonar", "included", "incluida", "incluses", "batch", "spei", "run", "funds",
    ]
    /// Words with the money arriving on the creditor's side, after it was paid.
    static let receiptWords: WordSet = [
        "have", "see", "receive", "arrive", "arrives", "land", "lands", "hit", "hits", "post", "posts", "clear", "clears", "reflect", "reflected",
        "recibe", "reciba", "recibir", "llega", "llegue", "refleja", "recevoir", "recevrez", "reflete", "account", "cuenta", "compte", "get",
    ]
    /// Words with a step before paying.
    static let stepWords: WordSet = ["back", "sign", "signs", "approve", "approved", "cut", "return", "returns", "regresa", "retour", "firma", "approuve"]
    /// Words of a call-back.
    static let callWords: WordSet = [
        "call", "calling", "ring", "reach", "llame", "llamar", "llamame", "marcar", "marqueme", "rappeler", "appeler", "appelez", "rappelez",
        "callback", "phone",
    ]
    /// Words that make the date after them a document's or an event's date.
    static let eventWords: WordSet = [
        "dated", "since", "from", "reminder", "rappel", "recordatorio", "delivered", "delivery", "pickup", "picked", "shipped", "entrega",
        "livraison", "loaded", "fechada", "emitida", "desde", "depuis", "invoiced", "statement", "ago", "message", "email", "correo",
        "courriel", "letter", "notice",
    ]
    /// Words that say a day is not when they pay ("can't pay today", "closed till January 4").
    static let negativeWords: WordSet = [
        "not", "no", "t", "unable", "cannot", "pas", "never", "nunca", "closed", "till", "until", "cerrado", "ferme", "hasta", "jusqu",
    ]
    /// Words that make a day a recurring one ("every other Thursday", "cada quincena").
    static let recurringWords: WordSet = ["every", "each", "cada", "chaque", "other", "tous", "todos"]
    /// Words that correct what was just said.
    static let correctionWords: WordSet = ["wait", "actually", "mean", "correction", "perdon", "digo", "plutot", "sorry", "rather"]
    /// Words before "now" that make it a first payment.
    static let nowAmountWords: WordSet = ["half", "mitad", "moitie", "thousand", "hundred", "mil", "mille", "k", "$", "portion", "part", "parte"]
    /// Words that mark a return ("back on Monday", "de retour le 2 mars").
    static let returnWords: WordSet = [
        "return", "returning", "back", "retour", "regreso", "regresare", "reopen", "reopens", "reopening", "until", "till", "hasta", "jusqu",
        "returns", "resume", "reanudar", "reprendrai", "reintegro", "retourne",
    ]

    /// The words before `found[index]`, back to the expression or clause break before it (six at most).
    static func before(_ found: [DateExpressions.Found], _ index: Int, _ t: [String]) -> ArraySlice<String> {
        let start = found[index].token
        let floor = index > 0 ? found[index - 1].end : 0
        var k = start
        while k > floor && start - k < 6 {
            let w = t[k - 1]
            if w == "." || w == "\n" || w == "?" || w == "!" || w == ";" { break }
            k -= 1
        }
        return t[k..<start]
    }

    /// The promise date: `frame` when the reply names any time for paying, `date` the day if one resolves.
    static func choose(_ found: [DateExpressions.Found], tokens t: [String], intent: Intent, reference ref: LocalDate) -> (frame: Bool, date: LocalDate?) {
        var best: (score: Int, date: LocalDate?, index: Int)?
        var anyFrame = false
        var corrected: Int?
        for (n, f) in found.enumerated() {
            let words = before(found, n, t)
            if words.contains(where: callWords.contains) { continue }
            let recurring = words.last.map(recurringWords.contains) == true
            if f.kind == .frame || (recurring && (intent == .promiseToPay || t[f.token] == "quincena")) {
                // A plan's frames ("this month", "every couple weeks") say how often, not when.
                if intent == .promiseToPay { anyFrame = true }
                continue
            }
            if words.contains(where: eventWords.contains) { continue }
            if let d = f.date, d < ref { continue }
            if f.kind == .now {
                // "$600 now", "half now", "la mitad ahorita": a first payment today; "right now" is not a day.
                guard intent == .paymentPlan, f.token > 0 else { continue }
                let prev = t[f.token - 1]
                let amountBefore = prev.utf8.first.map { $0 >= 48 && $0 <= 57 } == true || nowAmountWords.contains(prev) || SpokenNumbers.words[prev] != nil
                if !amountBefore || prev == "right" { continue }
            }
            var score = 0
            if words.contains(where: payWords.contains) { score += 2 }
            if words.contains(where: receiptWords.contains) { score -= 3 }
            if words.contains(where: stepWords.contains) { score -= 1 }
            if words.contains(where: negativeWords.contains) { score -= 4 }
            if corrected == nil, best != nil, words.contains(where: correctionWords.contains) { corrected = n }
            if let c = corrected, n >= c {
                // After "no wait", the last day said is the one meant.
                score += 5
                best = (score, f.date, n)
                continue
            }
            if intent == .paymentPlan {
                // The first payment: the earliest day.
                if let b = best, let bd = b.date, let d = f.date, bd <= d { continue }
                best = (score, f.date, n)
                continue
            }
            if let b = best, b.score >= score { continue }
            best = (score, f.date, n)
        }
        if let b = best { return (true, b.date) }
        return (anyFrame, nil)
    }

    /// An auto-reply's return date: the day said with a return ("back on Monday", "de retour le 2
    /// mars"), else the last day ahead.
    static func returnDate(_ found: [DateExpressions.Found], tokens t: [String], reference ref: LocalDate) -> LocalDate? {
        var last: LocalDate?
        for (n, f) in found.enumerated() {
            guard let d = f.date, d >= ref else { continue }
            if before(found, n, t).contains(where: returnWords.contains) { return d }
            last = d
        }
        return last
    }
}

/// Which amount a reply is about, from what surrounds each one and the intent.
enum AmountChoice {
    /// Words before an amount that make it the billed figure of a dispute.
    static let billedWords: WordSet = [
        "billed", "bill", "bills", "build", "charged", "charging", "charge", "charges", "invoiced", "says", "shows", "indicates", "cobrando",
        "cobran", "cobraron", "facturaron", "facturado", "viene", "indique", "facture", "facturez", "deducting", "deducted", "deduct", "not", "pas",
        "no", "invoice", "factura", "lumber", "lumper", "detention", "layover", "fee", "frais", "cargo", "is", "other", "montant",
    ]
    /// Words before an amount that make it the agreed or expected figure, not the billed one.
    static let agreedWords: WordSet = [
        "agreed", "agreement", "rate", "contract", "quoted", "quote", "acordo", "acordamos", "acordado", "convenu", "convenue", "should", "only",
        "receipt", "con", "tarifa", "compra", "oc", "paid", "paying", "reimburse", "pay", "paga", "pago", "taux",
    ]
    /// Words around an amount that make it a plan's instalment.
    static let instalmentWords: WordSet = [
        "every", "each", "per", "cada", "par", "aux", "now", "today", "hoy", "ahora", "ahorita", "maintenant", "starting", "first", "a", "al",
        "/", "por", "week", "wk", "month", "mo", "semana", "mes", "semaine", "mois", "weekly", "monthly", "instalments", "installments",
        "payments", "pagos", "versements", "versement", "pmts", "pymts", "abonos", "then",
    ]
    /// Words before an amount that make it a total.
    static let totalWords: WordSet = ["full", "whole", "total", "balance", "owe", "saldo", "todo", "solde", "outstanding", "entire", "=", "net", "tout"]
    /// Words before an amount that make it a threshold, not the reply's amount ("over $5,000").
    static let thresholdWords: WordSet = ["over", "above", "under", "below", "exceeding", "than"]
    /// Negations right before a billed amount.
    static let notWords: WordSet = ["not", "pas", "no"]
    /// Words before an amount that make it an instalment.
    static let instalmentBefore: WordSet = ["of", "de", "do", "pay"]

    /// The amount the reply is about, given the intent.
    static func choose(_ all: [Amounts.Candidate], tokens t: [String], intent: Intent) -> Amounts.Candidate? {
        // With a rate per unit in the reply, small figures are rates too ("$1.95/mile … not $2.25").
        let rates = all.contains(where: \.perUnit)
        func threshold(_ a: Amounts.Candidate) -> Bool {
            let k = a.start > 0 && t[a.start - 1] == "$" ? a.start - 2 : a.start - 1
            return k >= 0 && thresholdWords.contains(t[k])
        }
        let c = all.filter { !$0.perUnit && !threshold($0) && !(rates && $0.cents < 1000) }
        guard !c.isEmpty else { return nil }
        func words(_ a: Amounts.Candidate, back: Int) -> ArraySlice<String> {
            var k = a.start
            while k > 0 && a.start - k < back {
                let w = t[k - 1]
                if w == "." || w == "\n" || w == "?" || w == ";" { break }
                k -= 1
            }
            return t[k..<a.start]
        }
        func after(_ a: Amounts.Candidate) -> ArraySlice<String> { t[a.end..<min(t.count, a.end + 3)] }
        let top = c.map(\.strength).max()!
        switch intent {
        case .dispute:
            func score(_ a: Amounts.Candidate) -> Int {
                let w = words(a, back: 4)
                var s = a.strength
                if w.contains(where: billedWords.contains) { s += 3 }
                if w.contains(where: agreedWords.contains) { s -= 3 }
                if a.start > 0, notWords.contains(t[a.start - 1]) { s += 4 }
                return s
            }
            return c.max { score($0) < score($1) }
        case .paymentPlan:
            func score(_ a: Amounts.Candidate) -> Int {
                var s = a.strength
                if after(a).contains(where: instalmentWords.contains) || words(a, back: 3).contains(where: instalmentBefore.contains) { s += 2 }
                if words(a, back: 3).contains(where: totalWords.contains) { s -= 3 }
                return s
            }
            return c.max { score($0) < score($1) }
        case .paid:
            if let total = c.last(where: { words($0, back: 4).contains(where: totalWords.contains) && $0.strength >= 2 }) { return total }
            return c.first { $0.strength == top }
        default:
            return c.first { $0.strength == top }
        }
    }
}
