import Foundation
import ETLCore
import ETLExpr
import ETLHTTP
import struct ETLExpr.Expression

/// What one record asks to send, compiled once from the options: method,
/// URL and header templates, and the body (the record, a field mapping or a
/// template). Rendering is strict: a placeholder that fails or is null is an
/// error naming the option, and the record is rejected rather than sent to a
/// wrong URL.
struct RequestTemplate {
    enum Body {
        case record
        case fields([(path: [String], name: String, expression: Expression)])
        case template(Template)
    }

    /// One record's rendered request, before batching.
    struct Parts {
        var method: HTTPMethod
        var url: String
        var headers: [(String, String)]
        /// JSON (or the rendered template) for this record.
        var body: String

        /// Records go in one request only when these agree.
        func sameTarget(as other: Parts) -> Bool {
            method == other.method && url == other.url && headers.elementsEqual(other.headers, by: { $0 == $1 })
        }
    }

    let method: RequestMethod
    let url: Template
    let headers: [(String, Template)]
    let body: Body

    init(_ options: Options) throws {
        typealias O = HTTPRequestOptions
        method = try RequestMethod(options[O.method], options: options)
        url = try Self.template(options[O.url], option: O.url.name, options: options)
        if url.source.trimmingCharacters(in: .whitespaces).isEmpty {
            throw options.error(O.url, "url is empty", hint: "set it, e.g. `url: \"${CRM_URL}/api/contacts\"`")
        }
        headers = try options[O.headers].map { name, value in
            (name, try Self.template(value.text, option: "\(O.headers.name).\(name)", options: options))
        }
        let bodyTemplate = options[O.body]
        let fields = options[O.fields]
        if bodyTemplate != nil && !fields.isEmpty {
            throw options.error(O.fields, "give either `body` (a template) or `fields` (a mapping), not both",
                                hint: "without either the whole record is sent as JSON")
        }
        if let bodyTemplate {
            body = .template(try Self.template(bodyTemplate, option: O.body.name, options: options))
        } else if !fields.isEmpty {
            body = .fields(try fields.map { name, source in
                do { return (name.split(separator: ".").map(String.init), name, try Expression.compile(source.text)) }
                catch { throw options.error(O.fields, "field '\(name)': \(error)") }
            })
        } else {
            body = .record
        }
    }

    private static func template(_ text: String, option: String, options: Options) throws -> Template {
        do { return try Expression.compileTemplate(text) } catch let e as ExpressionError {
            throw options.error(option, "\(option): \(e.message) at character \(e.offset + 1) of the template", hint: e.hint)
        }
    }

    /// Renders everything for one record; throws a message naming the option that failed.
    func parts(for record: Fields, now: Date) throws -> Parts {
        let method = try self.method.resolve(record, now: now)
        let url: String
        do { url = try self.url.renderStrict(record: record, now: now) } catch { throw ExpressionRuntimeError("url: \(error)") }
        var headers: [(String, String)] = []
        for (name, template) in self.headers {
            do { headers.append((name, try template.renderStrict(record: record, now: now))) }
            catch { throw ExpressionRuntimeError("header \(name): \(error)") }
        }
        return Parts(method: method, url: url, headers: headers, body: try bodyText(for: record, now: now))
    }

    private func bodyText(for record: Fields, now: Date) throws -> String {
        switch body {
        case .record:
            return JSONWriter.string(.object(record))
        case .fields(let mapping):
            var out = Fields()
            for f in mapping {
                do {
                    let value = try f.expression.evaluate(record: record, now: now)
                    if f.path.count == 1 { out[f.name] = value } else { FieldPath.set(&out, f.path, value) }
                } catch {
                    throw ExpressionRuntimeError("body field \(f.name): \(error)")
                }
            }
            return JSONWriter.string(.object(out))
        case .template(let template):
            do { return try template.renderStrict(record: record, now: now) } catch { throw ExpressionRuntimeError("body: \(error)") }
        }
    }
}
