/// Checks of the strings that end up in cache paths and hub URLs: a hub id, a revision, a variant.
/// Anything that could climb out of the cache (`..`, absolute paths) or break a URL is refused.
extension ModelSource {
    /// Why `model` is not a legal hub id (nil if it is): `org/name`, exactly one slash, each part of
    /// letters, digits, `-`, `_`, `.`, not starting or ending with `-` or `.`, no `--` or `..`, ≤ 96
    /// characters (huggingface_hub `utils/_validators.py` `validate_repo_id`).
    public static func hubIDProblem(_ model: String) -> String? {
        let parts = model.split(separator: "/", omittingEmptySubsequences: false)
        if model.hasPrefix("/") { return "an absolute path" }
        if parts.contains(where: { $0 == ".." }) { return "path traversal (..) is not allowed" }
        guard parts.count == 2 else { return "it must have exactly one / (org/name)" }
        guard model.count <= 96 else { return "longer than 96 characters" }
        for part in parts {
            if part.isEmpty { return "empty org or name" }
            if let bad = part.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0))) }) {
                return "character \"\(bad)\" is not allowed"
            }
            if part.contains("--") || part.contains("..") { return "\"--\" and \"..\" are not allowed" }
            if let first = part.first, let last = part.last, "-.".contains(first) || "-.".contains(last) {
                return "\"\(part)\" starts or ends with - or ."
            }
        }
        return nil
    }

    /// Whether `model` has the form of a hub model id.
    public static func isHubID(_ model: String) -> Bool { hubIDProblem(model) == nil }

    /// Why `revision` cannot be a branch, tag or commit (nil if it can): no `..` component, no leading
    /// or trailing `/`, no whitespace, control characters or backslashes, ≤ 255 characters.
    public static func revisionProblem(_ revision: String) -> String? {
        if revision.isEmpty { return "empty" }
        if revision.count > 255 { return "longer than 255 characters" }
        if revision.hasPrefix("/") || revision.hasSuffix("/") || revision.contains("//") { return "a leading, trailing or double /" }
        if revision.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) { return "path traversal (..) is not allowed" }
        if let bad = revision.first(where: { !$0.isASCII || $0.isWhitespace || $0 == "\\" || ($0.asciiValue ?? 0) < 32 || $0 == "\u{7F}" }) {
            return "character \"\(bad.unicodeScalars.map { $0.escaped(asASCII: true) }.joined())\" is not allowed"
        }
        return nil
    }

    /// Why `variant` cannot be a weights variant (nil if it can): letters, digits, `-`, `_`, ≤ 64.
    public static func variantProblem(_ variant: String) -> String? {
        guard !variant.isEmpty, variant.count <= 64,
              variant.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            return "a variant is a short name of letters, digits, - and _ (e.g. fp16)"
        }
        return nil
    }

    /// Whether `revision` looks like a full commit hash (40 lowercase hex digits).
    public static func isCommitHash(_ revision: String) -> Bool {
        revision.count == 40 && revision.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }
}
