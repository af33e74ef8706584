import ETLCore
import ETLHTTP

/// The `paginate:` block of the http source: how to ask for the next page and
/// when to stop (as in Airbyte's low-code paginators and dlt's rest_api).
struct HTTPPagination {
    enum Style: String { case offset, page, cursor, linkHeader = "link_header" }

    static let defaultMaxPages = 10_000

    static let style = OptionKey<String>("style", .oneOf(["offset", "page", "cursor", "link_header"]), required: true,
        doc: "offset: `offset_param` advances by the records received; page: `page_param` counts pages; cursor: `cursor_param` takes the value at `cursor_path` of the previous page; link_header: follow the `Link: <…>; rel=\"next\"` header.")
    static let limitParam = OptionKey<String>("limit_param", default: "limit", doc: "Query parameter carrying the page size (sent when `limit` is set).")
    static let limit = OptionKey<Int?>("limit", doc: "Page size asked for. Required for offset; with any style a page with fewer records is the last one.", example: "100")
    static let offsetParam = OptionKey<String>("offset_param", default: "offset", doc: "offset: query parameter carrying the number of records already read.")
    static let pageParam = OptionKey<String>("page_param", default: "page", doc: "page: query parameter carrying the page number.")
    static let startPage = OptionKey<Int>("start_page", default: 1, doc: "page: number of the first page (0 or 1, as the API counts).")
    static let cursorParam = OptionKey<String>("cursor_param", default: "cursor", doc: "cursor: query parameter carrying the next-page cursor.")
    static let cursorPath = OptionKey<String?>("cursor_path", doc: "cursor: dotted path in the response body of the next-page cursor; null, empty or missing ends the read.", example: "meta.next_cursor")
    static let hasMorePath = OptionKey<String?>("has_more_path", doc: "Dotted path of a boolean in the response body; false ends the read (any style).", example: "has_more")
    static let maxPages = OptionKey<Int>("max_pages", default: defaultMaxPages,
        doc: "Safety stop: read at most this many pages, then stop with a warning (the records read so far are written).")
    static let options: [any OptionDeclaration] = [style, limitParam, limit, offsetParam, pageParam, startPage,
                                                   cursorParam, cursorPath, hasMorePath, maxPages]

    let style: Style
    let limitParam: String
    let limit: Int?
    let offsetParam: String
    let pageParam: String
    let startPage: Int
    let cursorParam: String
    let cursorPath: [String]?
    let hasMorePath: [String]?
    let maxPages: Int

    init(_ options: Options, format: PayloadFormat) throws {
        guard let style = Style(rawValue: options[Self.style]) else {
            throw options.error(Self.style, "paginate needs `style`: offset, page, cursor or link_header")
        }
        self.style = style
        limitParam = options[Self.limitParam]
        limit = options[Self.limit]
        offsetParam = options[Self.offsetParam]
        pageParam = options[Self.pageParam]
        startPage = options[Self.startPage]
        cursorParam = options[Self.cursorParam]
        cursorPath = options[Self.cursorPath].map(Self.path)
        hasMorePath = options[Self.hasMorePath].map(Self.path)
        maxPages = options[Self.maxPages]

        if let limit, limit < 1 { throw options.error(Self.limit, "paginate.limit must be at least 1") }
        if maxPages < 1 { throw options.error(Self.maxPages, "paginate.max_pages must be at least 1") }
        if style == .offset && limit == nil {
            throw options.error(Self.style, "offset pagination needs `limit`: the page size, also used to tell the last page",
                                hint: "add `limit: 100` (and `limit_param` if the API does not call it `limit`)")
        }
        if style == .cursor && cursorPath == nil {
            throw options.error(Self.style, "cursor pagination needs `cursor_path`: where the response body gives the next cursor",
                                hint: "e.g. `cursor_path: meta.next_cursor`")
        }
        if (cursorPath != nil || hasMorePath != nil) && format.kind != .json {
            throw options.error(cursorPath != nil ? Self.cursorPath : Self.hasMorePath,
                                "cursor_path and has_more_path read the JSON body; they need `format: json`")
        }
    }

    static func path(_ dotted: String) -> [String] { dotted.split(separator: ".").map(String.init) }

    /// Whether the body must be parsed as a whole to find the cursor or the has-more flag.
    var readsBody: Bool { cursorPath != nil || hasMorePath != nil }

    /// The top-level members the pagination fields live under; only these are parsed.
    var bodyMembers: Set<String> { Set([cursorPath?.first, hasMorePath?.first].compactMap { $0 }) }
}

/// Walks the pages of one read: the URL of the first page, then after each page
/// the URL of the next one, or nil when that page was the last.
struct PageWalker {
    let pagination: HTTPPagination
    let baseURL: String
    private(set) var offset = 0
    private(set) var page: Int
    private var cursor: String?

    init(_ pagination: HTTPPagination, baseURL: String) {
        self.pagination = pagination
        self.baseURL = baseURL
        page = pagination.startPage
    }

    var firstURL: String { url(cursor: nil) }

    private func url(cursor: String?) -> String {
        var params: [(name: String, value: String)] = []
        if let limit = pagination.limit { params.append((pagination.limitParam, String(limit))) }
        switch pagination.style {
        case .offset: params.append((pagination.offsetParam, String(offset)))
        case .page: params.append((pagination.pageParam, String(page)))
        case .cursor: if let cursor { params.append((pagination.cursorParam, cursor)) }
        case .linkHeader: break
        }
        return URLQuery.setting(baseURL, params)
    }

    /// What one page said about the next, as the walker needs it.
    struct PageFacts {
        var url: String
        var records: Int
        var headers: HTTPHeaders
        /// The whole body, parsed, when `cursor_path` or `has_more_path` need it.
        var body: Value?
    }

    /// The next page's URL, or nil when `page` was the last one.
    mutating func next(after facts: PageFacts) throws -> String? {
        if let path = pagination.hasMorePath, let body = facts.body {
            let flag = body[path: path]
            switch flag {
            case .bool(false): return nil
            case .bool(true), .null: break
            default:
                if flag.text == "false" || flag.text == "0" { return nil }
            }
        }
        if let limit = pagination.limit, facts.records < limit { return nil }
        switch pagination.style {
        case .offset:
            if facts.records == 0 { return nil }
            offset += facts.records
            return url(cursor: nil)
        case .page:
            if facts.records == 0 { return nil }
            page += 1
            return url(cursor: nil)
        case .cursor:
            guard let path = pagination.cursorPath, let body = facts.body else { return nil }
            let value = body[path: path]
            if value.isNull || value.text.isEmpty { return nil }
            if value.text == cursor {
                throw ETLError("the API returned the same next-page cursor twice ('\(value.text)'); stopping to avoid a loop",
                               hint: "check `paginate.cursor_path` and `cursor_param` against the API's documentation")
            }
            cursor = value.text
            return url(cursor: value.text)
        case .linkHeader:
            guard let next = URLQuery.nextLink(facts.headers.values(for: "Link"), relativeTo: facts.url) else { return nil }
            if next == facts.url {
                throw ETLError("the Link header's rel=\"next\" points at the page just read; stopping to avoid a loop")
            }
            return next
        }
    }
}
