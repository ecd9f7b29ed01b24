import Foundation

/// The `tollgate-*` executables SwiftPM builds beside the test bundle.
public enum BuiltExecutables {
    public static var directory: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }

    public static func url(_ service: String) -> URL {
        directory.appendingPathComponent("tollgate-\(service)")
    }
}
