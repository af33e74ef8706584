import ETLCore
import ETLHTTP

extension HTTPSource {
    public var configurationWarnings: [String] {
        guard let archive, archive.retentionDays != nil else { return [] }
        let template = archive.keyTemplate.replacingOccurrences(of: "{pipeline}", with: pipeline)
        guard ArchiveKeyTemplate.fixedPrefix(of: template).isEmpty else { return [] }
        // Directory retention still deletes only keys of this template; S3 cannot express that in a lifecycle rule.
        return ["archive.key '\(archive.keyTemplate)' has no fixed prefix: retention deletes only files matching the key, "
                + "but on S3 no lifecycle rule can be set (it would expire the whole archive); "
                + "start the key with a fixed folder, e.g. \(pipeline)/\(archive.keyTemplate)"]
    }
}
