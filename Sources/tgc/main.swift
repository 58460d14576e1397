import Foundation
import TGCDriver

exit(TGCMain.main(CommandLine.arguments))
