import CYAML
import ETLCore
import Foundation

/// What loading a YAML file produced. `root` is nil when the file could not be
/// read or parsed; diagnostics may be present even when it is not (duplicate keys).
public struct YAMLLoadResult: Sendable {
    public var root: YAMLNode?
    public var diagnostics: [Diagnostic]

    public init(root: YAMLNode?, diagnostics: [Diagnostic]) { self.root = root; self.diagnostics = diagnostics }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// Loads a single-document YAML file with libyaml, keeping where every node was written.
public enum YAMLLoader {
    public static func load(path: String) -> YAMLLoadResult {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            let message = exists ? "cannot read file \(path)" : "file not found: \(path)"
            let hint = exists ? "check the file's permissions" : "check the path; relative paths start from \(FileManager.default.currentDirectoryPath)"
            return YAMLLoadResult(root: nil, diagnostics: [Diagnostic(.error, message, at: nil, hint: hint)])
        }
        return load(bytes: [UInt8](data), file: path)
    }

    public static func load(text: String, file: String) -> YAMLLoadResult {
        load(bytes: Array(text.utf8), file: file)
    }

    static func load(bytes raw: [UInt8], file: String) -> YAMLLoadResult {
        // A UTF-8 byte order mark is dropped here so that columns on line 1 are not shifted by it.
        let bytes = raw.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(raw.dropFirst(3)) : raw
        var builder = YAMLTreeBuilder(file: file)
        if !bytes.isEmpty {
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else {
                return YAMLLoadResult(root: nil, diagnostics: [Diagnostic(.error, "cannot start the YAML parser", at: nil)])
            }
            defer { yaml_parser_delete(&parser) }
            bytes.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                // libyaml reads the buffer during yaml_parser_parse, so parsing stays inside this closure.
                yaml_parser_set_input_string(&parser, base, buffer.count)
                builder.run(&parser, source: bytes)
            }
        }

        var diagnostics = builder.diagnostics
        if builder.root == nil, diagnostics.isEmpty {
            diagnostics.append(Diagnostic(.error, "file is empty", at: SourceLocation(file: file, line: 1, column: 1),
                                          hint: "a pipeline file needs at least 'source' and 'sink' sections"))
        }
        return YAMLLoadResult(root: builder.root, diagnostics: diagnostics)
    }
}
