import ETLCore
import Foundation

/// Retention for a directory archive: age out old files by modification time.
enum ArchiveRetention {
    /// Deletes regular files whose path relative to `root` starts with `prefix` and
    /// whose mtime is before `cutoff`, then removes directories left empty under it.
    static func deleteFiles(in root: String, under prefix: String, olderThan cutoff: Date) throws -> Int {
        let fm = FileManager.default
        let rootURL = URL(fileURLWithPath: root).standardizedFileURL
        // The prefix may end inside a file name (`logs/inv_`): walk from its directory part.
        let dirPart = prefix.contains("/") ? String(prefix[..<(prefix.lastIndex(of: "/") ?? prefix.startIndex)]) : ""
        let start = dirPart.isEmpty ? rootURL : rootURL.appendingPathComponent(dirPart)
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: start.path, isDirectory: &isDir), isDir.boolValue else { return 0 }

        guard let walker = fm.enumerator(at: start, includingPropertiesForKeys: [.isRegularFileKey, .isDirectoryKey, .contentModificationDateKey]) else {
            return 0
        }
        var deleted = 0
        var directories: [URL] = []
        let rootPath = rootURL.path.hasSuffix("/") ? rootURL.path : rootURL.path + "/"
        for case let url as URL in walker {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath) else { continue }
            let relative = String(path.dropFirst(rootPath.count))
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isDirectoryKey, .contentModificationDateKey])
            if values?.isDirectory == true {
                if relative.hasPrefix(prefix) { directories.append(url) }
                continue
            }
            guard values?.isRegularFile == true, relative.hasPrefix(prefix),
                  let modified = values?.contentModificationDate, modified < cutoff else { continue }
            do {
                try fm.removeItem(at: url)
                deleted += 1
            } catch {
                throw ETLError("cannot delete expired archive file \(path): \(error.localizedDescription)",
                               hint: "check the archive directory's permissions")
            }
        }
        // Deepest first, so a parent emptied by its children goes too. The prefix's own directory stays.
        for dir in directories.sorted(by: { $0.path.count > $1.path.count }) {
            if let items = try? fm.contentsOfDirectory(atPath: dir.path), items.isEmpty { try? fm.removeItem(at: dir) }
        }
        return deleted
    }
}
