import Foundation
import Testing
@testable import VMIBCore

@Suite struct ISO8601Tests {
    let date = Date(timeIntervalSince1970: 1_830_211_200.25)   // 2027-12-31T00:00:00.250Z

    @Test func formatsWholeSecondsAsISO8601DateFormatterDoes() {
        #expect(ISO8601.format(date) == "2027-12-31T00:00:00Z")
        #expect(ISO8601.format(date) == ISO8601DateFormatter().string(from: date))
    }

    @Test func formatsMillisecondsAsAzureWritesThem() {
        #expect(ISO8601.formatFractional(date) == "2027-12-31T00:00:00.250Z")
    }

    @Test func readsDatesWithAndWithoutFractionalSeconds() {
        #expect(ISO8601.date(from: "2027-12-31T00:00:00Z") == Date(timeIntervalSince1970: 1_830_211_200))
        #expect(ISO8601.date(from: "2027-12-31T00:00:00.250Z") == date)
        #expect(ISO8601.date(from: "2027-12-31T02:00:00+02:00") == Date(timeIntervalSince1970: 1_830_211_200))
        #expect(ISO8601.date(from: "2027-12-31") == nil)
        #expect(ISO8601.date(from: "yesterday") == nil)
    }

    @Test func parsesAPlainDateAsMidnightUTCAndNamesTheFieldOtherwise() throws {
        #expect(try ISO8601.parse("2027-12-31", field: .endOfLife) == Date(timeIntervalSince1970: 1_830_211_200))
        #expect(throws: DomainError.invalid(.endOfLife, "'31/12/2027' is not an ISO 8601 date; expected e.g. 2027-12-31 or 2027-12-31T00:00:00Z")) {
            try ISO8601.parse("31/12/2027", field: .endOfLife)
        }
    }

    @Test func roundTrips() {
        #expect(ISO8601.date(from: ISO8601.formatFractional(date)) == date)
        #expect(ISO8601.date(from: ISO8601.format(date)) == Date(timeIntervalSince1970: 1_830_211_200))
    }
}
