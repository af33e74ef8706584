import ArgumentParser
import Foundation
import ETLConfig
import ETLRunner

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print a pipeline as a Mermaid flowchart: source → transforms → sinks (with routes) → notifiers, and the rejects sink.",
        discussion: "Paste into a Markdown ```mermaid block (GitHub renders it), or `mmdc -i graph.mmd -o graph.svg`.")

    @Argument(help: "A pipeline name or file.", completion: .custom(Completions.pipelines))
    var pipeline: String

    func run() throws {
        let select = PipelineSelection()
        let p = try select.one(pipeline)
        select.say(Self.mermaid(p.spec))
    }

    static func mermaid(_ spec: PipelineSpec) -> String {
        var out = ["flowchart LR"]
        out.append("  %% \(spec.name)" + (spec.schedule.map { " — schedule \($0.expression)" } ?? ""))
        out.append("  source[/\"\(label(spec.source))\"/]")
        var previous = "source"
        for (i, t) in spec.transforms.enumerated() {
            out.append("  t\(i)[\"\(label(t))\"]")
            out.append("  \(previous) --> t\(i)")
            previous = "t\(i)"
        }
        for (i, s) in spec.sinks.enumerated() {
            out.append("  sink\(i)[(\"\(label(s))\")]")
            out.append("  \(previous) -->" + (s.route.map { "|\(escape($0))|" } ?? "") + " sink\(i)")
        }
        if let rejects = spec.rejects.sink {
            out.append("  rejects[(\"\(label(rejects))\")]")
            out.append("  \(previous) -. rejected .-> rejects")
        }
        if !spec.notifiers.isEmpty {
            out.append("  outcome([\"run outcome\"])")
            for i in spec.sinks.indices { out.append("  sink\(i) --> outcome") }
            if spec.sinks.isEmpty { out.append("  \(previous) --> outcome") }
            for (i, n) in spec.notifiers.enumerated() {
                out.append("  n\(i){{\"\(label(n.stage))\"}}")
                let when = n.rules.first.map { shorten($0.when, 50) + (n.rules.count > 1 ? " +\(n.rules.count - 1) rules" : "") } ?? ""
                out.append("  outcome -->" + (when.isEmpty ? "" : "|\(escape(when))|") + " n\(i)")
            }
        }
        return out.joined(separator: "\n")
    }

    /// The connector and what it talks to: a table or a channel — never a URL (they carry tokens).
    static func label(_ stage: StageSpec) -> String {
        var text = "\(stage.kind.rawValue): \(stage.type)"
        for key in ["table", "channel", "path", "to"] {
            if let v = stage.options.values[key], let s = v.stringValue ?? v.arrayValue?.compactMap(\.stringValue).joined(separator: ", "), !s.isEmpty {
                text += "<br/>\(key) \(s)"; break
            }
        }
        if !stage.label.isEmpty && !stage.label.contains("[") && !stage.label.hasPrefix(stage.kind.rawValue) { text = "\(stage.label)<br/>" + text }
        return escape(text)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\"", with: "#quot;").replacingOccurrences(of: "|", with: "#124;")
    }

    static func shorten(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 3)) + "..." }
}
