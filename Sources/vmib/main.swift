import Foundation
import VMIBCLI

exit(await VMIBMain.run(Array(CommandLine.arguments.dropFirst())))
