import Testing
@testable import OverdueMail

@Suite struct ThreadsTests {
    @Test func headersLinkThreadsEvenThroughMissingMessagesAndSubjectsCatchTheRest() {
        let items: [Threads.Item] = [
            .init(messageID: "a@x", inReplyTo: [], references: [], subject: "Invoice INV-1 past due"),
            .init(messageID: "b@y", inReplyTo: ["a@x"], references: [], subject: "Re: Invoice INV-1 past due"),
            .init(messageID: "c@x", inReplyTo: [], references: ["a@x", "b@y"], subject: "RE: Invoice INV-1 past due"),
            .init(messageID: "d@y", inReplyTo: [], references: [], subject: "AW: [ext] Re: invoice  INV-1 past due"),
            .init(messageID: "e@z", inReplyTo: [], references: [], subject: "Something else"),
            .init(messageID: "f@z", inReplyTo: [], references: ["missing@q"], subject: "Re: load 448812"),
            .init(messageID: "g@z", inReplyTo: ["missing@q"], references: [], subject: "different words"),
            .init(messageID: nil, inReplyTo: [], references: [], subject: "Invoice INV-1 past due"),
        ]
        let t = Threads.assign(items)
        #expect(Array(t[0...3]) == ["a@x", "a@x", "a@x", "a@x"])
        #expect(t[4] == "e@z")
        #expect(t[5] == "f@z" && t[6] == "f@z")
        // Same subject but not a reply and no headers: its own conversation.
        #expect(t[7] == "thread-7")
    }

    @Test func mboxIsSplitAndFromLinesUnquoted() {
        let mbox = "From a@x Mon Jan  5 10:00:00 2026\nSubject: one\n\n>From the start\nbody\nFrom b@y Mon Jan  5 11:00:00 2026\nSubject: two\n\nx\n"
        let parts = Threads.splitMbox(Array(mbox.utf8))
        #expect(parts.count == 2)
        #expect(String(decoding: parts[0], as: UTF8.self).contains("\nFrom the start\n"))
        #expect(MIMEParser.parse(parts[1]).subject == "two")
    }
}
