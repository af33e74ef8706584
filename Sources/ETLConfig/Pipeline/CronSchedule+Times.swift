import Foundation

public extension CronSchedule {
    /// The latest minute at or before `date` the schedule fires at, in UTC (how `etl status`
    /// measures lag; cron on these machines runs in UTC). nil if none within 366 days.
    func previousFire(atOrBefore date: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var t = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let limit = t.addingTimeInterval(-366 * 86_400)
        let anyDay = fields[2].count == 31, anyWeekday = fields[4].isSuperset(of: Set(0...6))
        while t > limit {
            let c = calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: t)
            let minute = c.minute!, hour = c.hour!, day = c.day!, month = c.month!, weekday = c.weekday! - 1
            guard fields[3].contains(month) else { t = t.addingTimeInterval(-60); continue }
            // Cron: when both day fields are restricted, either one matching is enough.
            let dayMatches = fields[2].contains(day), weekdayMatches = fields[4].contains(weekday) || (weekday == 0 && fields[4].contains(7))
            let dayOK = anyDay || anyWeekday ? (dayMatches && weekdayMatches) : (dayMatches || weekdayMatches)
            guard dayOK else {
                // Skip to the last minute of the previous day.
                t = calendar.startOfDay(for: t).addingTimeInterval(-60); continue
            }
            guard fields[1].contains(hour) else {
                t = t.addingTimeInterval(-Double(minute + 1) * 60); continue
            }
            if fields[0].contains(minute) { return t }
            t = t.addingTimeInterval(-60)
        }
        return nil
    }

    /// Seconds between the two most recent fire times before `date`: how often it runs.
    func interval(before date: Date) -> Double? {
        guard let last = previousFire(atOrBefore: date),
              let previous = previousFire(atOrBefore: last.addingTimeInterval(-60)) else { return nil }
        return last.timeIntervalSince(previous)
    }
}
