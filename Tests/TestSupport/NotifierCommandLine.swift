import Foundation

/// Runs the built `tollgate-notifier` executable the way an operator would.
public enum NotifierCommandLine {
    public static func run(_ arguments: [String], environment: [String: String]) throws -> AuthCommandLine.Outcome {
        try AuthCommandLine.run(arguments, environment: environment, executable: "notifier")
    }
}
