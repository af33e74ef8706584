import Foundation
import ETLCore

/// Reads a pipeline file, applies `--set` overrides and environment
/// interpolation, and checks everything against the registry. Every problem is
/// collected; a spec is returned only when there are no errors.
public struct PipelineLoader {
    public var registry: ConnectorRegistry
    public var environment: [String: String]
    /// Unset environment variables are errors instead of warnings.
    public var strict: Bool
    /// `--set path.to.key=VALUE`, applied before validation.
    public var overrides: [String]

    public init(registry: ConnectorRegistry, environment: [String: String] = ProcessInfo.processInfo.environment,
                strict: Bool = false, overrides: [String] = []) {
        self.registry = registry; self.environment = environment; self.strict = strict; self.overrides = overrides
    }

    public struct Result {
        public var spec: PipelineSpec?
        public var diagnostics: [Diagnostic]
        /// Environment variables the file uses that are not set, by the stage that uses them.
        public var unsetVariables: [String: [String]]
        /// Secret values met while loading (secret options, secret-looking variables,
        /// URL passwords), for the redactor of whatever prints about this file.
        public var secrets: [String] = []
        public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
    }

    public func load(path: String) -> Result {
        let loaded = YAMLLoader.load(path: path)
        var diagnostics = loaded.diagnostics
        guard var root = loaded.root, !diagnostics.contains(where: { $0.severity == .error }) || loaded.root != nil else {
            return Result(spec: nil, diagnostics: diagnostics, unsetVariables: [:])
        }
        for override in overrides {
            guard let eq = override.firstIndex(of: "="), eq != override.startIndex else {
                diagnostics.append(Diagnostic(.error, "--set '\(override)' is not of the form path.to.key=VALUE", at: nil))
                continue
            }
            let path = override[..<eq].split(separator: ".").map(String.init)
            let location = SourceLocation(file: "--set \(override[..<eq])", line: 1, column: 1)
            let value = YAMLNode.parseScalarOverride(String(override[override.index(after: eq)...]), location: location)
            // A path that cannot be followed must not be ignored silently: the run would use the file's value.
            do { root = try root.settingValue(at: path, to: value) } catch let e as ETLError {
                diagnostics.append(Diagnostic(.error, e.message, at: location, hint: e.hint))
            } catch {
                diagnostics.append(Diagnostic(.error, "\(error)", at: location))
            }
        }
        let interpolated = Interpolator(environment: environment, strict: strict).resolve(root)
        let (resolved, interpolationDiagnostics) = (interpolated.root, interpolated.diagnostics)
        // A YAML alias (`*mail`) is resolved once per use: its unset variable is one mistake
        // at one position, reported once.
        var reported = Set<String>()
        diagnostics += interpolationDiagnostics.filter { reported.insert($0.description).inserted }
        var builder = SpecBuilder(registry: registry, file: path, environment: environment)
        builder.unsetNames = Set(interpolationDiagnostics.compactMap(Interpolator.unsetVariable(in:)))
        var spec = builder.build(resolved)
        diagnostics += builder.checker.diagnostics
        let secrets = interpolated.secrets + builder.checker.secrets
        spec?.secrets = secrets
        let hasErrors = diagnostics.contains { $0.severity == .error }
        return Result(spec: hasErrors ? nil : spec, diagnostics: diagnostics, unsetVariables: builder.unsetByStage, secrets: secrets)
    }
}

/// Turns the resolved YAML tree into a `PipelineSpec`, stage by stage.
struct SpecBuilder {
    let registry: ConnectorRegistry
    let file: String
    let environment: [String: String]
    var checker = OptionChecker(owner: "pipeline")
    var unsetByStage: [String: [String]] = [:]
    /// Names declared under `vars:`, usable in notify rules like run variables.
    var varNames: Set<String> = []
    /// Variables the interpolator reported unset (used without a default).
    var unsetNames: Set<String> = []

    init(registry: ConnectorRegistry, file: String, environment: [String: String]) {
        self.registry = registry; self.file = file; self.environment = environment
    }

    mutating func build(_ root: YAMLNode) -> PipelineSpec? {
        let top = checker.check(root, PipelineSchema.topLevel,
                                reserved: [])
        let name = top.string("name") ?? "pipeline"
        if let schedule = top.string("schedule") {
            do { _ = try CronSchedule(schedule) } catch let e as ETLError {
                checker.error(e.message, root["schedule"]?.location ?? root.location, hint: e.hint)
            } catch {}
        }
        let database = top.string("database")
        let vars = top.map("vars").map { (name: $0.0, expression: $0.1.text) }
        varNames = Set(vars.map(\.name))
        for name in varNames where PipelineSchema.runVariables.contains(where: { $0.name == name }) {
            checker.error("vars.\(name) would hide the run variable of the same name", top.locations["vars.\(name)"] ?? root.location,
                          hint: "pick another name")
        }
        // Written but emptied by an unset variable: already warned about, not "missing".
        let databaseWritten = root["database"] != nil

        let source = root["source"].flatMap { stage($0, kind: .source, label: "source", reserved: PipelineSchema.stageKeys) }
        let trigger = self.trigger(root, source: source)

        var transforms: [StageSpec] = []
        if let node = root["transforms"] {
            for (i, item) in sequence(node, "transforms").enumerated() {
                if let s = stage(item, kind: .transform, label: "transforms[\(i)]", reserved: PipelineSchema.stageKeys) {
                    transforms.append(s)
                }
            }
        }

        var sinks: [StageSpec] = []
        if let node = root["sink"] {
            if root["sinks"] != nil {
                checker.error("use either `sink:` or `sinks:`, not both", node.location)
            }
            if let s = stage(node, kind: .sink, label: "sink", reserved: PipelineSchema.sinkKeys) { sinks.append(s) }
        }
        if let node = root["sinks"] {
            for (i, item) in sequence(node, "sinks").enumerated() {
                if let s = stage(item, kind: .sink, label: "sinks[\(i)]", reserved: PipelineSchema.sinkKeys) { sinks.append(s) }
            }
        }
        if root["sink"] == nil && root["sinks"] == nil {
            checker.error("pipeline has no sink", root.location, hint: "add `sink:` with a `type:` (see `etl list-connectors --kind sink`)")
        }

        var notifiers: [NotifierSpec] = []
        if let node = root["notify"] {
            for (i, item) in sequence(node, "notify").enumerated() {
                if let n = notifier(item, label: "notify[\(i)]") { notifiers.append(n) }
            }
        }

        let routes = Set(transforms.filter { $0.type == "route" }.flatMap { routeNames($0) })
        for sink in sinks {
            if let r = sink.route, !routes.contains(r) {
                checker.warning("sink takes route '\(r)' but no `route` transform produces it", sink.location,
                                hint: routes.isEmpty ? "add a `route` transform" : Suggest.didYouMean(r, Array(routes)))
            }
        }

        // Records routed where no sink looks are silently not written: say so.
        if !sinks.isEmpty, !sinks.contains(where: { $0.route == nil }) {
            let taken = Set(sinks.compactMap(\.route))
            for transform in transforms where transform.type == "route" {
                var warned = Set<String>()
                for r in routeNames(transform) where !taken.contains(r) && warned.insert(r).inserted {
                    checker.warning("route '\(r)' is produced but no sink takes it: its records are not written", transform.location,
                                    hint: "add a sink with `route: \(r)`, or a sink without `route:`, which takes every record")
                }
            }
        }

        var rejects = RejectsPolicy()
        let rejectsOptions = top.object("rejects")
        if let max = rejectsOptions.string("max") ?? rejectsOptions.int("max").map(String.init) {
            // A negative count or NaN share would fail every run with exit 4, records or not.
            if max.hasSuffix("%"), let pct = Double(max.dropLast()), (0...100).contains(pct) { rejects.maxFraction = pct / 100 }
            else if let n = Int(max), n >= 0 { rejects.maxCount = n }
            else {
                checker.error("rejects.max must be a count or a percentage like 1%, found '\(max)'",
                              top.locations["rejects.max"] ?? root["rejects"]?.location ?? root.location,
                              hint: "a count of 0 or more (max: 100) or a share of the records read from 0% to 100% (max: 1%)")
            }
        }
        rejects.logLimit = rejectsOptions.int("log_limit") ?? 100
        checkCounts(top, root)
        if let sinkNode = root["rejects"]?["sink"] {
            rejects.sink = stage(sinkNode, kind: .sink, label: "rejects.sink", reserved: PipelineSchema.stageKeys)
        }

        let baseDirectory = (file as NSString).deletingLastPathComponent.isEmpty
            ? "." : (file as NSString).deletingLastPathComponent
        var setup: SetupSpec?
        let setupFiles = top.strings("setup")
        if !setupFiles.isEmpty {
            if !databaseWritten { checker.error("`setup` needs `database`", root["setup"]?.location ?? root.location) }
            for (i, f) in setupFiles.enumerated() {
                let full = f.hasPrefix("/") ? f : baseDirectory + "/" + f
                if !FileManager.default.fileExists(atPath: full) {
                    checker.error("setup SQL file '\(f)' not found (looked at \(full))",
                                  top.locations["setup.\(i)"] ?? root.location, hint: "paths are relative to the pipeline file")
                }
            }
            setup = SetupSpec(database: database ?? "", sqlFiles: setupFiles.map { $0.hasPrefix("/") ? $0 : baseDirectory + "/" + $0 })
        }
        var ledger: LedgerSpec?
        if root["ledger"] != nil || databaseWritten {
            let l = top.object("ledger")
            let columns = l.map("columns").map { (column: $0.0, variable: $0.1.text) }
            let known = Set(PipelineSchema.runVariables.map(\.name))
            for (column, variable) in columns where !known.contains(variable) {
                checker.error("ledger column '\(column)' maps to unknown run variable '\(variable)'",
                              top.locations["ledger.columns.\(column)"] ?? root.location,
                              hint: Suggest.didYouMean(variable, Array(known)) ?? "known: \(known.sorted().joined(separator: ", "))")
            }
            if !databaseWritten { checker.error("`ledger` needs `database`", root["ledger"]?.location ?? root.location) }
            ledger = LedgerSpec(database: database ?? "", table: l.string("table") ?? "etl_runs", columns: columns)
        }
        var lock: LockSpec?
        let lockOptions = top.object("lock")
        if lockOptions.bool("enabled", default: true), databaseWritten {
            lock = LockSpec(database: database ?? "", key: lockOptions.string("key") ?? name)
        }

        guard let source else {
            if root["source"] == nil { return nil }
            return nil
        }
        var spec = PipelineSpec(file: file, name: name, description: top.string("description") ?? "",
                                schedule: top.string("schedule").flatMap { try? CronSchedule($0) },
                                timeout: top.duration("timeout") ?? 1800, batchSize: max(1, top.int("batch_size") ?? 10_000),
                                source: source, transforms: transforms, sinks: sinks, notifiers: notifiers,
                                setup: setup, ledger: ledger, lock: lock, rejects: rejects, vars: vars, baseDirectory: baseDirectory)
        spec.commit = top.string("commit").flatMap(CommitMode.init(rawValue:)) ?? .run
        spec.health = HealthSpec(top.object("health"))
        spec.trigger = trigger
        return spec
    }

    private mutating func sequence(_ node: YAMLNode, _ key: String) -> [YAMLNode] {
        switch node.kind {
        case .sequence(let items): return items
        case .mapping: return [node]   // a single stage written without the list dash
        case .scalar:
            if !node.isNull { checker.error("`\(key)` must be a list of stages", node.location, hint: "start each stage with `- type: …`") }
            return []
        }
    }

    private mutating func stage(_ node: YAMLNode, kind: ConnectorKind, label: String, reserved: Set<String>) -> StageSpec? {
        guard case .mapping = node.kind else {
            checker.error("\(label) must be a mapping with a `type:`", node.location,
                          hint: "e.g. `type: \(registry.names(kind).first ?? "…")`")
            return nil
        }
        guard let typeNode = node["type"], let type = typeNode.scalarText, !type.isEmpty else {
            checker.error("\(label) has no `type`", node.location,
                          hint: "one of: \(registry.names(kind).joined(separator: ", "))")
            return nil
        }
        guard let registration = registry.lookup(kind, type) else {
            checker.error("unknown \(kind.rawValue) connector '\(type)'", typeNode.location,
                          hint: Suggest.didYouMean(type, registry.names(kind))
                            ?? "available: \(registry.names(kind).joined(separator: ", "))")
            return nil
        }
        var stageChecker = OptionChecker(owner: "\(type) \(kind.rawValue)")
        let options = stageChecker.check(node, registration.spec.options, reserved: reserved)
        checker.diagnostics += stageChecker.diagnostics
        checker.secrets += stageChecker.secrets
        let unset = unsetVariables(in: node)
        if !unset.isEmpty { unsetByStage[label] = unset }
        return StageSpec(kind: kind, type: type, label: node["label"]?.scalarText ?? label, options: options,
                         location: node.location, route: node["route"]?.scalarText)
    }

    private mutating func notifier(_ node: YAMLNode, label: String) -> NotifierSpec? {
        guard let stage = stage(node, kind: .notifier, label: label, reserved: PipelineSchema.notifierKeys) else { return nil }
        var rules: [NotifyRule] = []
        func rule(_ n: YAMLNode) {
            guard let whenNode = n["when"], let when = whenNode.scalarText else {
                checker.error("notify rule needs `when:`", n.location, hint: "e.g. when: status == \"failed\"")
                return
            }
            checker.checkExpression(when, whenNode)
            let known = Set(PipelineSchema.runVariables.map(\.name)).union(varNames)
            if let compiled = try? ExpressionFacade.variables(when) {
                for v in compiled where !known.contains(v) {
                    checker.error("notify rule uses unknown run variable '\(v)'", whenNode.location,
                                  hint: Suggest.didYouMean(v, Array(known)) ?? "known: \(known.sorted().joined(separator: ", "))")
                }
            }
            let messageNode = n["message"]
            if let m = messageNode, let text = m.scalarText { checker.checkTemplate(text, m) }
            rules.append(NotifyRule(when: when, message: messageNode?.scalarText, location: whenNode.location))
        }
        if node["when"] != nil { rule(node) }
        if let list = node["rules"] {
            for item in sequence(list, "rules") {
                if case .mapping(let pairs) = item.kind {
                    for p in pairs where !["when", "message"].contains(p.key.scalarText ?? "") {
                        checker.error("unknown key '\(p.key.scalarText ?? "")' in notify rule", p.key.location,
                                      hint: "a rule has `when:` and optional `message:`")
                    }
                }
                rule(item)
            }
        }
        if rules.isEmpty {
            checker.error("notifier \(stage.type) has no rules", node.location,
                          hint: "add `when: status == \"failed\"` or a `rules:` list")
        }
        return NotifierSpec(stage: stage, rules: rules)
    }

    private func routeNames(_ stage: StageSpec) -> [String] {
        stage.options.list("routes").compactMap { $0.objectValue?["name"]?.stringValue }
            + [stage.options.string("default")].compactMap { $0 }
    }

    private func unsetVariables(in node: YAMLNode) -> [String] {
        var out: [String] = []
        func walk(_ n: YAMLNode) {
            for v in n.interpolatedVariables where unsetNames.contains(v) && !out.contains(v) { out.append(v) }
            switch n.kind {
            case .mapping(let pairs): pairs.forEach { walk($0.value) }
            case .sequence(let items): items.forEach(walk)
            case .scalar: break
            }
        }
        walk(node)
        return out
    }
}
