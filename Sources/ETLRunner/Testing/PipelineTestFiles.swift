import Foundation

/// Where `etl test` finds tests: `*.test.yaml` files under a directory, a test file
/// given as is, and for a pipeline file `X.yaml` its `tests/X.test.yaml` or `X.test.yaml`.
/// `etl validate`, `crontab` and the other pipeline commands leave test files out.
public enum PipelineTestFiles {
    public static func isTestFile(_ path: String) -> Bool { path.hasSuffix(".test.yaml") || path.hasSuffix(".test.yml") }

    public static func find(_ paths: [String]) -> (files: [String], missing: [String]) {
        var files: [String] = [], missing: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else { missing.append(path); continue }
            if isDir.boolValue {
                files += (fm.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter(isTestFile).map { (path as NSString).appendingPathComponent($0) }.sorted()
            } else if isTestFile(path) {
                files.append(path)
            } else {
                let directory = (path as NSString).deletingLastPathComponent
                let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                let candidates = [(directory as NSString).appendingPathComponent("tests/\(base).test.yaml"),
                                  (directory as NSString).appendingPathComponent("\(base).test.yaml")]
                let found = candidates.filter { fm.fileExists(atPath: $0) }
                if found.isEmpty { missing.append(path) } else { files += found }
            }
        }
        var seen = Set<String>()
        return (files.filter { seen.insert($0).inserted }, missing)
    }
}
