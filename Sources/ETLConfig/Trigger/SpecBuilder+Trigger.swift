import ETLCore

extension SpecBuilder {
    /// `trigger:` checked against its schema and the source it feeds; nil when absent or invalid.
    mutating func trigger(_ root: YAMLNode, source: StageSpec?) -> TriggerSpec? {
        let node = root["trigger"]
        if node == nil, let source, source.type == "webhook" {
            checker.error("a webhook source needs a `trigger:` section", source.location,
                          hint: "add `trigger: {type: webhook, path: /hooks/NAME, verify: {hmac: {…}}}` (see docs/webhooks.md)")
        }
        guard let node else { return nil }
        if let source, source.type != "webhook" {
            var at = node.location
            if case .mapping(let pairs) = root.kind, let key = pairs.first(where: { $0.key.scalarText == "trigger" })?.key { at = key.location }
            checker.error("`trigger:` feeds a webhook source, but the source is '\(source.type)'", at,
                          hint: "write `source: {type: webhook}`, or remove `trigger:` for a scheduled pipeline")
        }
        var locations: [String: SourceLocation] = [:]
        guard case .object(let fields)? = checker.convert(node, .object(TriggerSchema.trigger), name: "trigger",
                                                           locations: &locations, path: "trigger") else { return nil }
        let options = Options(fields, locations: locations.reduce(into: [:]) { $0[String($1.key.dropFirst("trigger.".count))] = $1.value })
        let before = checker.diagnostics.filter { $0.severity == .error }.count

        var path = options.string("path") ?? ""
        if !path.hasPrefix("/") {
            checker.error("trigger.path must start with '/', found '\(path)'", options.locations["path"] ?? node.location,
                          hint: "e.g. path: /hooks/crm")
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        let verify = verification(options.object("verify"), node["verify"] ?? node)
        let accept = acceptRules(node["accept"])
        let key = idempotencyKey(node["idempotency_key"])
        let ack = AckMode(rawValue: options.string("ack") ?? "") ?? .onReceipt
        let response = responses(options.object("response"), node["response"], ack: ack, at: node)
        let maxAttempts = options.int("max_attempts") ?? 5
        if maxAttempts < 1 {
            checker.error("trigger.max_attempts must be 1 or more, found \(maxAttempts)", options.locations["max_attempts"] ?? node.location)
        }
        let maxBody = options.int("max_body") ?? (1 << 20)
        if maxBody < 1 { checker.error("trigger.max_body must be at least 1 byte", options.locations["max_body"] ?? node.location) }

        guard checker.diagnostics.filter({ $0.severity == .error }).count == before, let verify else { return nil }
        var methods = options.strings("methods")
        if methods.isEmpty { methods = ["POST"] }
        return TriggerSpec(path: path, methods: methods, verify: verify, accept: accept, idempotencyKey: key, maxBody: maxBody,
                           ack: ack, maxAttempts: max(1, maxAttempts), response: response, location: node.location)
    }

    private mutating func verification(_ options: Options, _ node: YAMLNode) -> WebhookVerification? {
        let written = ["hmac", "api_key", "none"].filter { options.has($0) }
        guard written.count == 1 else {
            checker.error(written.isEmpty ? "trigger.verify needs one of hmac, api_key or none"
                                          : "trigger.verify has \(written.joined(separator: " and ")); write exactly one",
                          node.location, hint: "hmac: {secret: ${SECRET}, header: X-Signature} · api_key: {header: X-API-Key, secret: ${KEY}} · none: true")
            return nil
        }
        switch written[0] {
        case "hmac":
            let h = options.object("hmac")
            let timestampHeader = h.string("timestamp_header").flatMap { $0.isEmpty ? nil : $0 }
            return .hmac(HMACVerification(
                algorithm: HMACVerification.Algorithm(rawValue: h.string("algorithm") ?? "") ?? .sha256,
                secret: h.string("secret") ?? "", header: h.string("header") ?? "",
                encoding: HMACVerification.Encoding(rawValue: h.string("encoding") ?? "") ?? .hex,
                prefix: h.string("prefix") ?? "", timestampHeader: timestampHeader, tolerance: h.duration("tolerance") ?? 300))
        case "api_key":
            let k = options.object("api_key")
            return .apiKey(header: k.string("header") ?? "", secret: k.string("secret") ?? "")
        default:
            guard options.bool("none") else {
                checker.error("trigger.verify.none must be `true` when written", options.locations["none"] ?? node.location,
                              hint: "or verify with hmac or api_key")
                return nil
            }
            checker.warning("trigger.verify is `none`: anyone who can reach the port can post to this pipeline", node.location,
                            hint: "verify with hmac or api_key unless a gateway in front already does")
            return WebhookVerification.none
        }
    }

    private mutating func acceptRules(_ node: YAMLNode?) -> [AcceptRule] {
        guard let node, !node.isNull else { return [] }
        guard case .sequence(let items) = node.kind else {
            checker.error("trigger.accept must be a list of rules", node.location,
                          hint: "- when: 'type in [\"contact\"]'\n  message: '\"unknown type\"'")
            return []
        }
        var rules: [AcceptRule] = []
        for item in items {
            guard case .mapping(let pairs) = item.kind else {
                checker.error("an accept rule must be a mapping with `when:`", item.location); continue
            }
            for p in pairs where !["when", "message"].contains(p.key.scalarText ?? "") {
                checker.error("unknown key '\(p.key.scalarText ?? "")' in accept rule", p.key.location,
                              hint: "an accept rule has `when:` and optional `message:`")
            }
            guard let whenNode = item["when"], let when = whenNode.scalarText, !when.isEmpty else {
                checker.error("accept rule needs `when:`", item.location, hint: "e.g. when: 'type in [\"contact\", \"account\"]'")
                continue
            }
            checker.checkExpression(when, whenNode)
            var message: String?
            if let m = item["message"], let text = m.scalarText {
                checker.checkExpression(text, m)
                message = text
            }
            rules.append(AcceptRule(when: when, message: message, location: whenNode.location))
        }
        return rules
    }

    private mutating func idempotencyKey(_ node: YAMLNode?) -> IdempotencyKeyRule {
        guard let node, !node.isNull else { return .bodyHash }
        switch node.kind {
        case .scalar(let text, _):
            checker.checkExpression(text, node)
            return .expression(text)
        case .mapping(let pairs):
            for p in pairs where p.key.scalarText != "header" {
                checker.error("unknown key '\(p.key.scalarText ?? "")' in trigger.idempotency_key", p.key.location,
                              hint: "write an expression, or `header: X-Event-Id`")
            }
            guard let header = node["header"]?.scalarText, !header.isEmpty else {
                checker.error("trigger.idempotency_key needs `header:`", node.location, hint: "e.g. idempotency_key: {header: X-Event-Id}")
                return .bodyHash
            }
            return .header(header)
        case .sequence:
            checker.error("trigger.idempotency_key must be an expression or `header: NAME`", node.location,
                          hint: "e.g. idempotency_key: 'sha256(_raw_body)'")
            return .bodyHash
        }
    }

    private mutating func responses(_ options: Options, _ node: YAMLNode?, ack: AckMode, at trigger: YAMLNode) -> WebhookResponses? {
        guard let node else {
            if ack == .onCommit {
                checker.error("`ack: on_commit` needs `response:` with `ok:` and `rejected:`", trigger["ack"]?.location ?? trigger.location,
                              hint: "response: {ok: {status: 200, body: {status: '\"applied\"'}}, rejected: {status: 400, body: {error: error}}}")
            }
            return nil
        }
        if ack == .onReceipt {
            checker.error("`response:` is only used with `ack: on_commit`", node.location,
                          hint: "on_receipt answers 202 {\"status\":\"accepted\",\"id\":…} once stored; add `ack: on_commit` or remove `response:`")
            return nil
        }
        func one(_ name: String) -> WebhookResponse {
            let o = options.object(name)
            let status = o.int("status") ?? 200
            if !(100...599).contains(status) {
                checker.error("trigger.response.\(name).status must be an HTTP status, found \(status)", o.locations["status"] ?? node.location)
            }
            return WebhookResponse(status: status, body: o.map("body").map { (name: $0.0, expression: $0.1.stringValue ?? $0.1.text) })
        }
        return WebhookResponses(ok: one("ok"), rejected: one("rejected"))
    }
}
