import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// The cadence editor: the ladder as a form, previewed on a sample invoice.
extension Pages {
    /// The cadence editor's form, as typed (so a rejected form comes back as it was).
    struct CadenceForm: Sendable {
        var name: String
        var startAfterDueDays: String
        var onExhausted: String
        var stages: [(channel: String, attempts: String, delayDays: String)]

        init(_ p: Policy) {
            name = p.name
            startAfterDueDays = String(p.startAfterDueDays)
            onExhausted = p.onExhausted.rawValue
            stages = p.stages.map { ($0.channel.rawValue, String($0.attempts), String($0.delayDays)) }
        }

        /// Reads the posted fields: `stage.N.channel` etc.; a row whose channel is empty is left out.
        init(fields f: [String: String]) {
            name = f["name"] ?? ""
            startAfterDueDays = f["start_after_due_days"] ?? ""
            onExhausted = f["on_exhausted"] ?? "handoff"
            stages = (0..<Policy.maxStages + 2).compactMap { i in
                guard let ch = f["stage.\(i).channel"], !ch.isEmpty else { return nil }
                return (ch, f["stage.\(i).attempts"] ?? "", f["stage.\(i).delay_days"] ?? "")
            }
        }

        /// The form as the policy JSON document the API takes, so both are validated alike.
        var json: Data {
            func number(_ s: String) -> Any { Int(s.trimmingCharacters(in: .whitespaces)).map { $0 as Any } ?? s }
            let doc: [String: Any] = [
                "name": name, "start_after_due_days": number(startAfterDueDays), "on_exhausted": onExhausted,
                "stages": stages.map { ["channel": $0.channel, "attempts": number($0.attempts), "delay_days": number($0.delayDays)] },
            ]
            return (try? JSONSerialization.data(withJSONObject: doc)) ?? Data()
        }
    }

    /// The preview as a strip: one row per channel, a dot per attempt at its day.
    static func cadenceChart(_ steps: [CadencePreview.Step]) -> HTML {
        let sends = steps.filter { $0.action == .send }
        let lastDay = max(7, (steps.map(\.day).max() ?? 0) + 1)
        let rows: [Channel] = Channel.allCases
        let x = { (day: Int) -> Int in 90 + Int(Double(day) / Double(lastDay) * 600) }
        let ticks = stride(from: 0, through: lastDay, by: max(1, lastDay / 8)).map { d -> HTML in
            "<line x1=\"\(x(d))\" y1=\"8\" x2=\"\(x(d))\" y2=\"\(rows.count * 30 + 8)\" class=\"grid\"></line><text x=\"\(x(d))\" y=\"\(rows.count * 30 + 24)\" class=\"tick\">day \(d)</text>"
        }
        let lanes = rows.enumerated().map { i, ch -> HTML in
            "<text x=\"0\" y=\"\(i * 30 + 27)\" class=\"label\">\(ch.rawValue)</text>"
        }
        let dots = sends.map { s -> HTML in
            let row = rows.firstIndex(of: s.channel ?? .email) ?? 0
            return
                "<circle cx=\"\(x(s.day))\" cy=\"\(row * 30 + 22)\" r=\"7\" class=\"dot \(s.channel?.rawValue ?? "")\"><title>day \(s.day): \(s.channel?.rawValue ?? "") stage \(s.stage ?? 0) attempt \(s.attempt ?? 0)</title></circle>"
        }
        let end = steps.last.flatMap { s -> HTML? in
            s.action == .send
                ? nil
                : "<text x=\"\(min(x(s.day) + 4, 640))\" y=\"\(rows.count * 30 + 6)\" class=\"value\">\(s.action == .handoff ? "→ a person" : s.action.rawValue)</text>"
        }
        return """
            <svg class="cadence" viewBox="0 0 720 \(rows.count * 30 + 32)" role="img" aria-label="Attempts by day and channel"><title>Attempts by day and channel</title>\(ticks)\(lanes)\(dots)\(end)</svg>
            """
    }

    static func cadence(
        _ form: CadenceForm, errors: [String], steps: [CadencePreview.Step], zone: TimeZone, previewing: Bool,
        viewer: Viewer, flash: Flash?
    ) -> HTML {
        let canEdit = viewer.role.allows(.manage)
        let csrf: HTML = "<input type=\"hidden\" name=\"_csrf\" value=\"\(viewer.csrf)\">"
        let rows = form.stages + Array(repeating: (channel: "", attempts: "3", delayDays: "3"), count: 2)
        let stageRows = HTML.join(
            rows.enumerated().map { i, st -> HTML in
                let options = HTML.join(
                    ([""] + Channel.allCases.map(\.rawValue)).map { c -> HTML in
                        "<option value=\"\(c)\"\(c == st.channel ? " selected" : "")>\(c.isEmpty ? "— none —" : c)</option>"
                    })
                return """
                    <tr><th scope="row">\(i + 1)</th>
                      <td><label class="sr-only" for="s\(i)c">Stage \(i + 1) channel</label><select id="s\(i)c" name="stage.\(i).channel">\(options)</select></td>
                      <td><label class="sr-only" for="s\(i)a">Stage \(i + 1) attempts</label><input id="s\(i)a" name="stage.\(i).attempts" inputmode="numeric" size="3" value="\(st.attempts)"></td>
                      <td><label class="sr-only" for="s\(i)d">Stage \(i + 1) days between attempts</label><input id="s\(i)d" name="stage.\(i).delay_days" inputmode="numeric" size="3" value="\(st.delayDays)"></td>
                    </tr>
                    """
            })
        let problems: HTML =
            errors.isEmpty ? .empty : "<div class=\"error\" role=\"alert\"><p>Not saved:</p><ul>\(errors.map { e -> HTML in "<li>\(e)</li>" })</ul></div>"
        let list = HTML.join(
            steps.map { s -> HTML in
                let what: String
                switch s.action {
                case .send: what = "\(s.channel?.rawValue ?? "") · stage \(s.stage ?? 0), attempt \(s.attempt ?? 0)"
                case .handoff: what = "handed to a person"
                default: what = s.action.rawValue
                }
                return
                    "<tr><td class=\"num\">\(s.day)</td><td>\(stamp(s.at, zone, "EEE d MMM HH:mm"))</td><td>\(what)</td><td class=\"small\">\(s.reasons.first?.message ?? "")</td></tr>"
            })
        return layout(
            title: "Cadence", viewer: viewer, current: "/app/cadence",
            """
            <h1>Cadence</h1>
            \(flash?.html ?? .empty)
            \(problems)
            <p class="muted">The ladder every case climbs once its oldest invoice is overdue: stages of one channel, each with its attempts and the days between them.
            Contact windows, caps, consent and opt-outs still apply to every attempt.</p>
            <div class="cols">
            <section class="card">
              <form method="post" action="/app/cadence">\(csrf)
                <label for="name">Name</label><input id="name" name="name" value="\(form.name)" required>
                <label for="start">Start this many days after the due date</label><input id="start" name="start_after_due_days" inputmode="numeric" value="\(form.startAfterDueDays)">
                <table class="stages"><caption>Stages, in order</caption>
                  <thead><tr><th scope="col">#</th><th scope="col">Channel</th><th scope="col">Attempts</th><th scope="col">Days between</th></tr></thead>
                  <tbody>\(stageRows)</tbody></table>
                <label for="exhausted">When every attempt is made</label>
                <select id="exhausted" name="on_exhausted">
                  <option value="handoff"\(form.onExhausted == "handoff" ? " selected" : "")>hand the case to a person</option>
                  <option value="restart"\(form.onExhausted == "restart" ? " selected" : "")>start the ladder again</option>
                </select>
                <div class="row">
                  <button type="submit" name="intent" value="preview" class="secondary">Preview</button>
                  \(canEdit ? "<button type=\"submit\" name=\"intent\" value=\"save\">Save and re-plan every case</button>" as HTML : "<p class=\"muted\">Managers and admins can change the cadence.</p>" as HTML)
                </div>
              </form>
            </section>
            <section class="card" aria-live="polite"><h2>\(previewing ? "Preview (not saved)" : "Preview") on a sample case</h2>
              <p class="muted small">One invoice due on day 0, one contact reachable on every channel, nobody answers.</p>
              \(cadenceChart(steps))
              <table class="list"><thead><tr><th scope="col">Day</th><th scope="col">When (\(zone.identifier))</th><th scope="col">What</th><th scope="col">Why</th></tr></thead>
              <tbody>\(list)</tbody></table>
            </section>
            </div>
            """)
    }
}
