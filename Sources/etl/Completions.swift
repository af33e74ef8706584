import ArgumentParser
import Foundation
import ETLRunner

/// Shell completion (`etl --generate-completion-script bash|zsh|fish`): pipeline
/// files and names, and connector names, offered by the binary itself.
enum Completions {
    /// Pipeline files under pipelines/ and the current directory, and their names.
    @Sendable static func pipelines(_ arguments: [String], _ index: Int, _ prefix: String) -> [String] {
        var out: [String] = []
        for directory in [".", "pipelines"] {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files.sorted() where (file.hasSuffix(".yaml") || file.hasSuffix(".yml")) && !file.hasSuffix(".test.yaml") {
                out.append(directory == "." ? file : directory + "/" + file)
                if directory == "pipelines" { out.append(PipelineSelection.baseName(file)) }
            }
        }
        return out.filter { $0.hasPrefix(prefix) }
    }

    @Sendable static func connectors(_ arguments: [String], _ index: Int, _ prefix: String) -> [String] {
        Array(Set(Registry.make().specs.map(\.name))).sorted().filter { $0.hasPrefix(prefix) }
    }
}
