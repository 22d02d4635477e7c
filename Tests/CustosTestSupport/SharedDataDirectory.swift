public import Foundation

/// `../shared/data` beside the project: conformance vectors and data sets, read in place.
public enum SharedDataDirectory {
    public static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    public static let root = projectRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
