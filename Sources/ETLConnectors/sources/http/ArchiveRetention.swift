import ETLCore
import Foundation

/// Retention for a directory archive: age out old files by modification time.
enum ArchiveRetention {
    /// Deletes regular files whose path relative to `root` starts with `prefix`, is a key
    /// `pattern` can have produced, and whose mtime is before `cutoff`; then removes the
    /// directories that deleting them left empty. Returns the deleted paths.
    static func deleteFiles(in root: String, under prefix: String, matching pattern: ArchiveKeyPattern,
                            olderThan cutoff: Date) throws -> [String] {
        let fm = FileManager.default
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        // The prefix may end inside a file name (`logs/inv_`): walk from its directory part.
        let dirPart = prefix.contains("/") ? String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)]) : ""
        let start = dirPart.isEmpty ? rootURL : rootURL.appendingPathComponent(dirPart)
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: start.path, isDirectory: &isDir), isDir.boolValue else { return [] }

        guard let walker = fm.enumerator(at: start, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey, .contentModificationDateKey]) else {
            return []
        }
        var deleted: [String] = []
        var directories: Set<String> = []
        let rootPath = rootURL.path.hasSuffix("/") ? rootURL.path : rootURL.path + "/"
        for case let url as URL in walker {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath) else { continue }
            let relative = String(path.dropFirst(rootPath.count))
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isDirectoryKey, .contentModificationDateKey])
            if values?.isDirectory == true { continue }
            guard values?.isRegularFile == true, relative.hasPrefix(prefix), pattern.matches(relative),
                  let modified = values?.contentModificationDate, modified < cutoff else { continue }
            do {
                try fm.removeItem(at: url)
                deleted.append(path)
                // Its folders, up to the prefix's own: candidates for removal once empty.
                var dir = (relative as NSString).deletingLastPathComponent
                while !dir.isEmpty && dir.hasPrefix(prefix) && dir.count > dirPart.count {
                    directories.insert(rootPath + dir)
                    dir = (dir as NSString).deletingLastPathComponent
                }
            } catch {
                throw ETLError("cannot delete expired archive file \(path): \(FileProblem.describe(error, path: path))",
                               hint: "check the archive directory's permissions")
            }
        }
        // Deepest first, so a parent emptied by its children goes too. The prefix's own directory
        // stays, and so does any folder we deleted nothing from.
        for dir in directories.sorted(by: { $0.count > $1.count }) {
            if let items = try? fm.contentsOfDirectory(atPath: dir), items.isEmpty { try? fm.removeItem(atPath: dir) }
        }
        return deleted
    }
}
