import Foundation
import TollgateConfig

/// How an executable ends when it cannot start: a clear message on standard error and exit code 78
/// (EX_CONFIG) for configuration problems, 1 otherwise.
public enum StartupFailure {
    public static func exit(_ executable: String, _ error: any Error) -> Never {
        let message: String
        let code: Int32
        if let error = error as? ConfigurationError {
            message = "\(executable): \(error.description)"
            code = 78
        } else {
            message = "\(executable): cannot start: \(error)"
            code = 1
        }
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(code)
    }
}
