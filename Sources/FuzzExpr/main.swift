import Foundation
import FuzzDriver

exit(etl_fuzz_run(CommandLine.argc, CommandLine.unsafeArgv, fuzzExpr))
