#!/usr/bin/env python3
"""Brute-force oracle for the cron table of tests/unit/schedule/cron_next_test.cc.

How the table was generated: `python3 tests/unit/schedule/cron_oracle.py` printed the
`kNextCases` rows of cron_next_test.cc, pasted there unchanged (clang-format is off around
them). Rerun it after adding a case here and paste its output again.

It shares no code or algorithm with src/schedule: robfig/cron v3's SpecSchedule.Next (spec.go)
walks month -> day -> hour -> minute with Go's time.Date normalisation; this script instead scans
every absolute minute after `from`, converts it to the zone's wall clock with zoneinfo, and
keeps the first one whose wall-clock fields match. Both give the same instants for zones whose
DST shifts are whole hours away from midnight (Europe/Berlin, America/New_York, ...):
  - a wall-clock time skipped by spring-forward never exists, so it never fires that day;
  - a wall-clock time repeated by fall-back exists twice (first and second offset), so it
    fires twice, as robfig does (its minute loop steps in absolute time);
  - robfig gives up after five years (year of `from` + 5 in the zone): None here, no value.
@every d fires at floor_to_second(t) + d (constantdelay.go), d truncated to whole seconds.
"""
import datetime as dt
import zoneinfo

UTC = dt.timezone.utc
MONTHS = {n: i + 1 for i, n in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split())}
DAYS = {n: i for i, n in enumerate("sun mon tue wed thu fri sat".split())}
DESCRIPTORS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}


def field(text, lo, hi, names=None):
    """Returns (set of allowed values, star) for one field, robfig's getField rules."""
    values, star = set(), False
    for part in (p for p in text.split(",") if p):
        rng, _, step = part.partition("/")
        step = int(step) if step else 1
        if rng in ("*", "?"):
            a, b = lo, hi
            star = star or step == 1  # robfig clears the star bit when step > 1
        else:
            a, _, b = rng.partition("-")
            num = lambda s: names[s.lower()] if names and s.lower() in names else int(s)
            a = num(a)
            b = num(b) if b else (hi if "/" in part else a)
        assert lo <= a <= b <= hi and step > 0, part
        values.update(range(a, b + 1, step))
    return values, star


def parse(expr):
    zone = UTC
    if expr.startswith(("TZ=", "CRON_TZ=")):
        prefix, expr = expr.split(" ", 1)
        zone = zoneinfo.ZoneInfo(prefix.split("=", 1)[1])
        expr = expr.strip()
    if expr.startswith("@every "):
        return ("every", parse_go_duration(expr[len("@every "):]), zone)
    expr = DESCRIPTORS.get(expr, expr)
    mi, h, dom, mon, dow = expr.split()
    return ("spec", (field(mi, 0, 59)[0], field(h, 0, 23)[0], field(dom, 1, 31),
                     field(mon, 1, 12, MONTHS)[0], field(dow, 0, 6, DAYS)), zone)


def parse_go_duration(text):
    """Enough of Go's ParseDuration for the table: h, m, s and ms terms, seconds truncated."""
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    total, num = 0.0, ""
    i = 0
    while i < len(text):
        c = text[i]
        if c.isdigit() or c == ".":
            num += c
            i += 1
            continue
        unit = "ms" if text.startswith("ms", i) else c
        total += float(num) * units[unit]
        num, i = "", i + len(unit)
    return max(int(total), 1)


def matches(fields, local):
    minutes, hours, (doms, dom_star), months, (dows, dow_star) = fields
    dom_ok = local.day in doms
    dow_ok = (local.isoweekday() % 7) in dows
    day_ok = (dom_ok and dow_ok) if (dom_star or dow_star) else (dom_ok or dow_ok)
    return (local.minute in minutes and local.hour in hours and local.month in months
            and day_ok)


def next_after(parsed, t):
    kind, spec, zone = parsed
    if kind == "every":
        return t.replace(microsecond=0) + dt.timedelta(seconds=spec)
    limit = (t.replace(microsecond=0) + dt.timedelta(seconds=1)).astimezone(zone).year + 5
    m = t.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    while True:
        local = m.astimezone(zone)
        if local.year > limit:
            return None
        if matches(spec, local):
            return m
        m += dt.timedelta(minutes=1)


CASES = [
    # (expression, from (UTC), how many activations)
    ("*/15 * * * *", "2026-01-01T00:07:30Z", 3),
    ("0 * * * *", "2026-01-01T10:59:59Z", 3),
    ("* * * * *", "2026-01-01T10:00:00Z", 3),
    ("30 2 * * 1-5", "2026-01-02T03:00:00Z", 3),
    ("0 9 * * MON-FRI", "2026-01-09T10:00:00Z", 3),
    ("0,30 9-17 * * mon-fri", "2026-01-09T17:15:00Z", 3),
    ("0 0 29 2 *", "2026-03-01T00:00:00Z", 3),
    ("0 0 30 2 *", "2026-01-01T00:00:00Z", 1),
    ("0 0 31 * *", "2026-01-31T00:00:00Z", 3),
    ("59 23 31 12 *", "2026-06-15T00:00:00Z", 2),
    ("0 0 1 1 *", "2026-01-01T00:00:00Z", 2),
    ("@yearly", "2026-05-05T05:05:05Z", 2),
    ("@annually", "2026-12-31T23:59:59.999Z", 2),
    ("@monthly", "2026-01-31T12:00:00Z", 3),
    ("@weekly", "2026-01-01T00:00:00Z", 3),
    ("@daily", "2026-02-27T23:59:00Z", 3),
    ("@midnight", "2028-02-28T01:00:00Z", 2),
    ("@hourly", "2026-01-01T23:30:00Z", 3),
    ("@every 90m", "2026-01-01T00:00:30.500Z", 1),
    ("@every 1h30m10.5s", "2026-01-01T00:00:00Z", 1),
    ("@every 500ms", "2026-01-01T00:00:00.250Z", 1),
    ("CRON_TZ=Europe/Berlin @every 24h", "2026-03-28T12:00:00Z", 1),
    ("0 0 1 JAN,jul *", "2026-02-01T00:00:00Z", 3),
    ("0 12 * feb-APR sun", "2026-01-20T00:00:00Z", 3),
    ("10-50/20 * * * *", "2026-01-01T00:45:00Z", 3),
    ("5/20 * * * *", "2026-01-01T00:00:00Z", 3),
    ("*/7 * * * *", "2026-01-01T00:50:00Z", 3),
    ("23 0-20/2 * * *", "2026-01-01T19:00:00Z", 3),
    ("0 */5 * * *", "2026-01-01T21:00:00Z", 3),
    ("0 0,12 1 */2 *", "2026-02-01T00:00:00Z", 3),
    ("0 0 1,15 * 3", "2026-01-01T00:00:00Z", 4),
    ("0 0 */2 * 1", "2026-01-01T00:00:00Z", 4),
    ("0 0 */1 * 1", "2026-01-01T00:00:00Z", 3),
    ("0 0 * * 1", "2026-01-01T00:00:00Z", 2),
    ("0 0 ? * 5", "2026-01-01T00:00:00Z", 2),
    ("0 0 13 * 5", "2026-02-01T00:00:00Z", 4),
    ("0 0 * * SUN", "2026-01-01T00:00:00Z", 2),
    ("0 0 * * 0,6", "2026-01-01T00:00:00Z", 3),
    ("15 14 1 * *", "2026-01-01T14:15:00Z", 2),
    ("0 3 * * *", "2026-01-01T02:59:59.999999Z", 2),
    # Europe/Berlin: spring-forward 2026-03-29 02:00 CET -> 03:00 CEST (01:00Z),
    # fall-back 2026-10-25 03:00 CEST -> 02:00 CET (01:00Z).
    ("CRON_TZ=Europe/Berlin 30 2 * * *", "2026-03-28T12:00:00Z", 3),
    ("CRON_TZ=Europe/Berlin 30 2 * * *", "2026-10-24T12:00:00Z", 3),
    ("CRON_TZ=Europe/Berlin */30 * * * *", "2026-03-29T00:15:00Z", 3),
    ("CRON_TZ=Europe/Berlin 0 * * * *", "2026-10-24T23:30:00Z", 4),
    ("CRON_TZ=Europe/Berlin 0 0 * * *", "2026-03-28T00:00:00Z", 3),
    ("CRON_TZ=Europe/Berlin 0 3 * * *", "2026-03-28T12:00:00Z", 2),
    ("TZ=Europe/Berlin 0 2 29 3 *", "2026-01-01T00:00:00Z", 2),
    # America/New_York: spring-forward 2026-03-08 02:00 EST -> 03:00 EDT (07:00Z),
    # fall-back 2026-11-01 02:00 EDT -> 01:00 EST (06:00Z).
    ("TZ=America/New_York 30 2 * * *", "2026-03-07T12:00:00Z", 3),
    ("TZ=America/New_York 30 1 * * *", "2026-10-31T12:00:00Z", 3),
    ("CRON_TZ=America/New_York 0 * * * *", "2026-11-01T03:30:00Z", 4),
    ("CRON_TZ=America/New_York @daily", "2026-03-07T12:00:00Z", 3),
    ("CRON_TZ=America/New_York 0 9 * * MON-FRI", "2026-03-06T15:00:00Z", 2),
    # Southern hemisphere: Sydney falls back 2026-04-05 03:00 AEDT -> 02:00 AEST.
    ("CRON_TZ=Australia/Sydney 0 2 * * *", "2026-04-04T00:00:00Z", 3),
    # America/Santiago shifts at midnight: 2026-09-06 00:00 -04 -> 01:00 -03 (04:00Z), so that
    # day has no midnight; 2026-04-05 00:00 -03 -> 2026-04-04 23:00 -04 (03:00Z) repeats 23:xx.
    # robfig's day loop lands in that gap via time.Date and corrects by an hour (spec.go).
    ("CRON_TZ=America/Santiago 0 0 * * *", "2026-09-05T12:00:00Z", 2),
    ("CRON_TZ=America/Santiago 0 0 * * SUN", "2026-09-01T00:00:00Z", 2),
    ("CRON_TZ=America/Santiago 0 1 * * SUN", "2026-09-01T12:00:00Z", 2),
    ("CRON_TZ=America/Santiago 30 23 * * *", "2026-04-04T12:00:00Z", 3),
    ("CRON_TZ=Asia/Kolkata 0 9 * * *", "2026-01-01T00:00:00Z", 2),
    ("CRON_TZ=UTC 0 9 * * *", "2026-01-01T09:00:00Z", 2),
    ("TZ=UTC   0 9 * * *", "2026-01-01T08:00:00Z", 1),
]


def parse_time(text):
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def fmt(t):
    return "null" if t is None else t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    for expr, start, count in CASES:
        parsed, t, out = parse(expr), parse_time(start), []
        for _ in range(count):
            t = next_after(parsed, t)
            out.append(fmt(t))
            if t is None:
                break
        quoted = ", ".join(f'"{x}"' for x in out)
        print(f'    {{"{expr}", "{start}", {{{quoted}}}}},')


if __name__ == "__main__":
    main()
