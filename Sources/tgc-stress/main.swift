import Foundation
import TGCStress

exit(StressCommand.main(CommandLine.arguments))
