import OverdueCore
@testable import OverdueLanguage
import Testing

/// Our reminder quoted back is never evidence; a forwarded payment or remittance advice is.
@Suite struct ReplyCleanerTests {
    @Test func reminderFromACollectionsMailboxIsNoEvidence() {
        let text = """
            Is the balance in this before or after the credit?

            On Thu, Sep 24, 2026 at 2:18 PM Acme Freight <ar@acme.example> wrote:
            > Hi, your account has a balance of $1,215.00 across 2 invoices (AF-1, AF-2).
            > Please reply with a payment date.
            """
        #expect(ReplyCleaner.split(text).evidence.isEmpty)
    }

    @Test(arguments: [
        "El lun, 16 feb 2026 a las 10:14, Fletes Norte <pagos@fletes.example> escribió:\n> Le recordamos que la factura FA-1 por $3,750.00 MXN venció el 05/02/2026.",
        "Le 16 févr. 2026 à 09:12, Transport X <comptes@x.example> a écrit :\n> Nous vous rappelons que la facture 9021 de 3 920,00 $ est échue.",
        "On Mon, Mar 9, 2026 at 9:02 AM Billing <billing@x.example> wrote:\n> Invoice INV-77 for $880.00 is now 12 days past due.",
    ])
    func reminderWordsMakeAQuoteOurReminder(_ quote: String) {
        #expect(ReplyCleaner.split("We will pay next week.\n\n" + quote).evidence.isEmpty)
    }

    @Test func outlookSpanishHeaderStartsAQuote() {
        let text = """
            Ya se liquidó.

            De: Cobranza <ar@transportes.example>
            Enviado: lunes, 31 de agosto de 2026 08:00
            Asunto: Recordatorio factura vencida AT-1

            > La factura AT-1 por $9,870.00 MXN se encuentra vencida.
            """
        let parts = ReplyCleaner.split(text)
        #expect(parts.own == "Ya se liquidó.")
        #expect(parts.evidence.isEmpty)
    }

    @Test func forwardedRemittanceAdviceStaysEvidence() {
        let text = """
            Already paid - see below.

            -----Original Message-----
            From: Payments <noreply@payables.example>
            Sent: Friday, March 6, 2026 4:11 PM
            Subject: Remittance Advice

            Payment #: 00093321
            Amount: $4,870.00 for the overdue invoices RC-10398, RC-10401
            """
        let parts = ReplyCleaner.split(text)
        #expect(parts.own == "Already paid - see below.")
        #expect(parts.evidence.contains("$4,870.00"))
    }

    @Test func senderMailboxIsReadFromTheHeader() {
        #expect(ReplyCleaner.senderMailbox(["On Mon, Mar 9, 2026 Acme <Collections@acme.example> wrote:", "> hi"]) == "collections")
        #expect(ReplyCleaner.senderMailbox(["From: Pay <payments@x.example>", "To: ar@y.example"]) == "payments")
        #expect(ReplyCleaner.senderMailbox(["> no header here"]) == nil)
    }
}
