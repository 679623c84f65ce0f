import OverdueCore

extension TemplateComposer {
    static let signature = """

        Thank you,
        {{sender_name}}
        Accounts Receivable, {{company}}
        {{#sender_email}}{{sender_email}}
        {{/sender_email}}{{#sender_phone}}{{sender_phone}}
        {{/sender_phone}}
        """

    static let howToPay = """
        {{#pay_url}}Pay online: {{pay_url}}
        {{/pay_url}}{{#remit_to}}Remit to: {{remit_to}}
        {{/remit_to}}
        """

    /// The built-in template `name` for `channel`; voice answers reuse the SMS wording.
    static func builtIn(_ name: String, channel: Channel) -> Template? {
        if let t = builtIns[name]?[channel] { return t }
        if channel == .voice, let sms = builtIns[name]?[.sms] { return Template(subject: nil, body: sms.body) }
        return nil
    }

    static let builtIns: [String: [Channel: Template]] = [
        "reminder.friendly": [
            .email: Template(
                subject: "Reminder: {{invoice_count}} past-due {{invoices_word}} from {{company}}, {{total}}",
                body: """
                    {{greeting}},

                    This is a friendly reminder from {{company}} that the following {{invoices_word}} for {{debtor}} {{is_are}} past due:

                    {{invoice_table}}

                    Total past due: {{total}}

                    \(howToPay)If you have already paid, reply with the payment date and reference (check or ACH trace number) and we will match it. If you need the POD, BOL or rate confirmation for any load, reply and we will send it.
                    \(signature)
                    To stop receiving these reminders by email, reply "unsubscribe".
                    """),
            .sms: Template(
                body:
                    "{{company}} reminder: {{invoice_count}} past-due {{invoices_word}} for {{debtor}}, total {{total}} (oldest {{oldest_invoice}}, {{oldest_days}}d). Reply PAID if paid{{#sender_phone}} or call {{sender_phone}}{{/sender_phone}}."
            ),
            .voice: Template(
                body: """
                    Hello, this is an automated call from {{company}} for {{contact}} about past-due freight {{invoices_word}} for {{debtor}}. This call may be recorded. \
                    Our records show {{invoice_count}} {{invoices_word}} totalling {{total_spoken}}, the oldest {{oldest_days}} days past due, invoice {{oldest_invoice}}. \
                    Press 1 to tell us when you will pay, 2 if you have already paid, or 3 to speak with our team. \
                    {{#sender_phone}}You can also call us back at {{sender_phone}}. {{/sender_phone}}To stop these calls, press 9.
                    """),
        ],
        "reminder.firm": [
            .email: Template(
                subject: "Second notice: {{invoice_count}} past-due {{invoices_word}}, {{total}} – {{debtor}}",
                body: """
                    {{greeting}},

                    We have not yet received payment for the following {{invoices_word}} for {{debtor}}, now up to {{oldest_days}} days past due:

                    {{invoice_table}}

                    Total past due: {{total}}

                    \(howToPay)If you have already paid, reply with the payment date and reference (check or ACH trace number) and we will match it. If something on an invoice is wrong, reply and tell us what, and we will look into it.
                    \(signature)
                    To stop receiving these reminders by email, reply "unsubscribe".
                    """),
            .sms: Template(
                body:
                    "{{company}} 2nd notice: {{invoice_count}} past-due {{invoices_word}} for {{debtor}}, total {{total}} (oldest {{oldest_invoice}}, {{oldest_days}}d). Reply PAID if paid{{#sender_phone}} or call {{sender_phone}}{{/sender_phone}}."
            ),
            .voice: Template(
                body: """
                    Hello, this is an automated call from {{company}} for {{contact}} about past-due freight {{invoices_word}} for {{debtor}}. This call may be recorded. \
                    We have not yet received payment for {{invoice_count}} {{invoices_word}} totalling {{total_spoken}}, the oldest {{oldest_days}} days past due, invoice {{oldest_invoice}}. \
                    Press 1 to tell us when you will pay, 2 if you have already paid, or 3 to speak with our team. \
                    {{#sender_phone}}You can also call us back at {{sender_phone}}. {{/sender_phone}}To stop these calls, press 9.
                    """),
        ],
        "reminder.final": [
            .email: Template(
                subject: "Final notice: {{invoice_count}} past-due {{invoices_word}}, {{total}} – {{debtor}}",
                body: """
                    {{greeting}},

                    This is our final automated notice about the following {{invoices_word}} for {{debtor}}, up to {{oldest_days}} days past due. Please arrange payment or contact us this week:

                    {{invoice_table}}

                    Total past due: {{total}}

                    \(howToPay)If you have already paid, reply with the payment date and reference and we will match it.
                    \(signature)
                    To stop receiving these reminders by email, reply "unsubscribe".
                    """),
            .sms: Template(
                body:
                    "{{company}} FINAL notice: {{invoice_count}} past-due {{invoices_word}} for {{debtor}}, total {{total}} (oldest {{oldest_invoice}}, {{oldest_days}}d). Reply PAID if paid{{#sender_phone}} or call {{sender_phone}}{{/sender_phone}}."
            ),
            .voice: Template(
                body: """
                    Hello, this is an automated call from {{company}} for {{contact}} about past-due freight {{invoices_word}} for {{debtor}}. This call may be recorded. \
                    Our records show {{invoice_count}} {{invoices_word}} totalling {{total_spoken}}, the oldest {{oldest_days}} days past due, invoice {{oldest_invoice}}. \
                    This is our final automated call. Press 1 to arrange payment now, or 3 to speak with our team. \
                    {{#sender_phone}}You can also call us back at {{sender_phone}}. {{/sender_phone}}To stop these calls, press 9.
                    """),
        ],
        "broken_promise": [
            .email: Template(
                subject: "Payment not received as promised – {{debtor}}, {{total}}",
                body: """
                    {{greeting}},

                    We were expecting payment{{#promise_date}} by {{promise_date}}{{/promise_date}} as agreed, but it has not reached us. These {{invoices_word}} remain open:

                    {{invoice_table}}

                    Total past due: {{total}}

                    \(howToPay)If the payment is on its way, please reply with the date it was sent and its reference so we can match it. If something is holding it up, tell us what and we will help.
                    \(signature)
                    To stop receiving these reminders by email, reply "unsubscribe".
                    """),
            .sms: Template(
                body:
                    "{{company}}: the payment promised for {{debtor}} has not reached us; {{total}} is still open (oldest {{oldest_invoice}}). Reply with the date it was sent, or call{{#sender_phone}} {{sender_phone}}{{/sender_phone}}."
            ),
            .voice: Template(
                body: """
                    Hello, this is an automated call from {{company}} for {{contact}}. This call may be recorded. \
                    We were expecting the payment you promised for {{debtor}}, but it has not reached us. {{total_spoken}} is still open, the oldest invoice {{oldest_invoice}}. \
                    Press 1 to tell us when it was sent, or 3 to speak with our team. To stop these calls, press 9.
                    """),
        ],
        "promise_confirmation": [
            .email: Template(
                subject: "Thank you – payment expected {{promise_date}}",
                body: """
                    {{greeting}},

                    Thank you for letting us know. We have noted payment of {{amount}} for {{debtor}} by {{promise_date}} and will not send reminders until then.
                    {{#has_invoices}}

                    {{invoice_table}}
                    {{/has_invoices}}

                    \(howToPay)\(signature)
                    """),
            .sms: Template(body: "Thank you. {{company}} has noted payment of {{amount}} for {{debtor}} by {{promise_date}}; no reminders until then."),
            .voice: Template(body: "Thank you. I have noted payment of {{amount}} by {{promise_date}}, and we will not call or write about it until then."),
        ],
        "promise_date_request": [
            .email: Template(
                subject: "When can we expect payment? – {{debtor}}",
                body: """
                    {{greeting}},

                    Thank you for your reply. So we can update our records and stop reminders, could you tell us the date payment of {{total}} will be sent?

                    {{invoice_table}}
                    \(signature)
                    """),
            .sms: Template(body: "Thank you. What date will {{debtor}} send the {{total}}? Reply with the date and {{company}} will pause reminders."),
            .voice: Template(body: "Thank you. On what day will the payment of {{total}} go out?"),
        ],
        "payment_claim_thanks": [
            .email: Template(
                subject: "Thank you – we are matching your payment",
                body: """
                    {{greeting}},

                    Thank you for letting us know that payment{{#amount}} of {{amount}}{{/amount}} was sent for {{debtor}}. We are matching it to the open {{invoices_word}} and have paused reminders in the meantime.

                    {{invoice_table}}

                    If we cannot find it within a few business days, someone from our team will contact you.
                    \(signature)
                    """),
            .sms: Template(body: "Thank you. {{company}} is matching the payment for {{debtor}} and has paused reminders meanwhile."),
            .voice: Template(body: "Thank you. We are matching your payment now, and reminders are paused while we do."),
        ],
        "remittance_request": [
            .email: Template(
                subject: "Remittance details for your payment – {{debtor}}",
                body: """
                    {{greeting}},

                    Thank you for letting us know payment was sent. To match it quickly, please reply with:

                    - the payment date and method (ACH, wire or check)
                    - the amount
                    - the reference (ACH trace, wire reference or check number)
                    - the invoices it covers

                    {{invoice_table}}

                    We have paused reminders for a few business days while we look for it.
                    \(signature)
                    """),
            .sms: Template(
                body:
                    "Thank you. To match the payment for {{debtor}}, reply with its date, amount and check/ACH reference. {{company}} has paused reminders meanwhile."
            ),
            .voice: Template(body: "Thank you. To match your payment, could you tell me its date, the amount and the check or ACH reference?"),
        ],
        "dispute_received": [
            .email: Template(
                subject: "We have opened a review – {{debtor}}",
                body: """
                    {{greeting}},

                    Thank you for telling us. We have opened a review of the following {{invoices_word}} (reason: {{dispute_reason}}). We will not send reminders about the disputed {{invoices_word}} while the review is open:

                    {{invoice_table}}

                    To settle it quickly, please send us:
                    {{#lines}}
                    - {{.}}
                    {{/lines}}

                    Someone from our team will be in touch.
                    \(signature)
                    """),
            .sms: Template(
                body:
                    "Thank you. {{company}} has opened a review of {{oldest_invoice}} ({{dispute_reason}}) and paused reminders on it. Our team will contact you; please email any supporting documents."
            ),
            .voice: Template(
                body: "I understand. I have opened a review of {{oldest_invoice}}, and reminders on it are paused. A colleague will contact you about it."),
        ],
        "document_reply": [
            .email: Template(
                subject: "Documents for {{debtor}}: {{#documents}}{{label}} {{invoice}} {{/documents}}",
                body: """
                    {{greeting}},

                    As requested, please find attached:
                    {{#documents}}
                    - {{label}} for invoice {{invoice}} ({{filename}})
                    {{/documents}}
                    {{#missing}}

                    We do not have the {{document}} for {{missing}} on file yet; someone from our team will send it.
                    {{/missing}}

                    {{invoice_table}}

                    \(howToPay)\(signature)
                    """),
            .sms: Template(body: "{{company}}: {{#documents}}{{label}} for {{invoice}}: {{link}} {{/documents}}(links are private to you)."),
        ],
        "document_pending": [
            .email: Template(
                subject: "Your request for the {{document}} – {{debtor}}",
                body: """
                    {{greeting}},

                    Thank you for your request. We do not have the {{document}} for {{#invoices}}{{number}} {{/invoices}}on file yet; someone from our team will send it to you shortly. We have paused reminders in the meantime.
                    \(signature)
                    """),
            .sms: Template(
                body: "Thank you. {{company}} does not have the {{document}} on file yet; our team will send it shortly. Reminders are paused meanwhile."),
            .voice: Template(
                body: "Thank you. We do not have the {{document}} on file yet. A colleague will send it to you shortly, and reminders are paused meanwhile."),
        ],
        "payment_plan_offer": [
            .email: Template(
                subject: "A payment plan for {{debtor}}",
                body: """
                    {{greeting}},

                    Thank you for reaching out. We can offer the following plan for the open balance of {{total}}:

                    {{#lines}}
                    - {{.}}
                    {{/lines}}

                    Please reply to confirm, or suggest other dates, and we will set it up.

                    {{invoice_table}}
                    \(signature)
                    """),
            .sms: Template(
                body: "{{company}} can split {{total}} into {{installments}} payments: {{#lines}}{{.}}; {{/lines}}reply YES to confirm or suggest dates."),
        ],
        "wrong_contact_thanks": [
            .email: Template(
                subject: "Thank you – we have updated our records",
                body: """
                    Hello,

                    Thank you for letting us know. We have updated our records and will not contact you about {{debtor}}'s account again.
                    \(signature)
                    """),
            .sms: Template(body: "Thank you, {{company}} has updated its records and will not text you about {{debtor}} again."),
            .voice: Template(body: "Thank you for letting me know. We have updated our records and will not call you about {{debtor}} again."),
        ],
        "opt_out_confirmation": [
            .sms: Template(body: "{{company}}: you are unsubscribed and will receive no more texts from us. Reply START to resubscribe.")
        ],
        "opt_in_confirmation": [
            .sms: Template(body: "{{company}}: you are subscribed to account texts again. Msg&data rates may apply. Reply HELP for help, STOP to opt out.")
        ],
        "help": [
            .sms: Template(
                body:
                    "{{company}} accounts receivable{{#sender_phone}}: call {{sender_phone}}{{/sender_phone}}{{#sender_email}} or email {{sender_email}}{{/sender_email}}. Msg&data rates may apply. Reply STOP to opt out."
            )
        ],
        "callback_confirmation": [
            .email: Template(
                subject: "We will call you {{callback_time}}",
                body: """
                    {{greeting}},

                    Thank you. We will call you {{callback_time}} about {{debtor}}'s account ({{total}} open) and have paused reminders until then.
                    \(signature)
                    """),
            .sms: Template(body: "Thank you. {{company}} will call you {{callback_time}} about {{debtor}}'s account."),
            .voice: Template(body: "Thank you. We will call you {{callback_time}}."),
        ],
        "callback": [
            .voice: Template(
                body: """
                    Hello, this is {{company}} returning your call about {{debtor}}'s account, as you asked. This call may be recorded. \
                    Our records show {{invoice_count}} open {{invoices_word}} totalling {{total_spoken}}. \
                    Press 1 to tell us when you will pay, 2 if you have already paid, or 3 to speak with our team.
                    """)
        ],
        "account_summary": [
            .email: Template(
                subject: "Your account with {{company}}: {{total}} open",
                body: """
                    {{greeting}},

                    Here is {{debtor}}'s account with {{company}}: {{invoice_count}} open {{invoices_word}}, {{total}} in total.

                    {{invoice_table}}

                    \(howToPay)If you have questions about a specific invoice, reply with its number.
                    \(signature)
                    """),
            .sms: Template(
                body:
                    "{{company}}: {{debtor}} has {{invoice_count}} open {{invoices_word}}, {{total}} (oldest {{oldest_invoice}}).{{#pay_url}} Pay: {{pay_url}}{{/pay_url}}{{#remit_to}} Remit to: {{remit_to}}{{/remit_to}}"
            ),
            .voice: Template(body: "{{debtor}} has {{invoice_count}} open {{invoices_word}}, {{total}} in all. The oldest is {{oldest_invoice}}."),
        ],
    ]
}
