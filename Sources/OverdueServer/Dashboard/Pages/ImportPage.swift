import Foundation
import OverdueAgents
import OverdueCore
import OverdueUseCases

/// Importing CSV files in the browser.
extension Pages {
    static func importPage(viewer: Viewer) -> HTML {
        layout(
            title: "Import", viewer: viewer, current: "/app/import",
            """
            <h1>Import</h1>
            <section class="card">
              <p>A CSV file with a header row, as <code>overdue import</code> reads it. A bad row rejects the file — nothing is written —
              and every problem is listed with its line and column; tick the box to write the good rows anyway.</p>
              <form id="import" data-csrf="\(viewer.csrf)">
                <label for="kind">The file holds</label>
                <select id="kind" name="kind"><option>invoices</option><option>contacts</option><option>payments</option></select>
                <label for="file">CSV file</label><input id="file" name="file" type="file" accept=".csv,text/csv" required>
                <label class="inline"><input type="checkbox" id="skip" name="skip"> Write the good rows and list the bad ones</label>
                <button type="submit"\(viewer.role.allows(.work) ? "" : " disabled")>Upload</button>
              </form>
              <progress id="progress" max="100" value="0" hidden></progress>
              <div id="result" role="status" aria-live="polite"></div>
            </section>
            <script src="/app/app.js" defer></script>
            """)
    }
}
