"""Write realistic-locations.csv: a directory of treatment programs shaped like real ones.

    python tests/data/make_realistic.py [--today] [--out FILE] [--count N] [--seed N]

Every program, street, phone number and domain is fictional (555-01xx numbers, example.org,
example.com, *.example and example.edu hosts); only the form services' hosts are real, because
the URL shapes they hand out are what the corpus is about. The data is what a public directory
of US programs looks like: long names with abbreviations, ampersands, apostrophes and dashes,
about 5 % in other scripts, streets with suites, buildings and floors, extensions, every hours
form the parser accepts, and the intake links programs really have (Google Forms, forms.gle,
Microsoft Forms, JotForm, Typeform, SurveyMonkey, REDCap, an organization's own long domain,
none), some with {slug} placeholders and some with a short link of their own.

``--today`` leaves out the columns issue 14 adds (short_name, intake_short_url) and gives a
hand-written slug to the names with no Latin letters that the full file leaves without one
(they are for the transliteration to make), so the file loads with the code before issue 14.
Deterministic: the same seed writes the same bytes. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import string
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "realistic-locations.csv"
COUNT = 324
SEED = 14
NOTE = "EXAMPLE: fictional program, address, 555-01xx phone numbers and example domains"
NO_SLUG_NOTE = "; slug left empty on purpose: made by transliteration (issue 14)"

SERVICES = (
    "naloxone", "syringe-services", "fentanyl-test-strips", "supervised-consumption",
    "methadone", "buprenorphine", "naltrexone", "alcohol-treatment", "counseling",
    "peer-support", "hiv-testing", "hepatitis-testing", "wound-care", "detox", "outpatient",
    "telehealth",
)
ISSUE_COLUMNS = ("short_name", "intake_short_url")  # unknown to the loader before issue 14
COLUMNS = (
    "slug", "name", "short_name", "street", "city", "region", "postal_code", "country",
    "phone", "sms", "email", "website", "intake_url", "intake_short_url", "hours", "services",
    "languages", "# note",
)

# (city, state, ZIP, area codes that are valid there)
PLACES = (
    ("Baltimore", "MD", "21201", ("410", "443")), ("Salisbury", "MD", "21801", ("410",)),
    ("Hagerstown", "MD", "21740", ("301", "240")), ("Frederick", "MD", "21701", ("301",)),
    ("Annapolis", "MD", "21401", ("410",)), ("Cumberland", "MD", "21502", ("301",)),
    ("Philadelphia", "PA", "19107", ("215", "267")), ("Pittsburgh", "PA", "15222", ("412",)),
    ("Wilmington", "DE", "19801", ("302",)), ("Richmond", "VA", "23219", ("804",)),
    ("Norfolk", "VA", "23510", ("757",)), ("Washington", "DC", "20001", ("202",)),
    ("Newark", "NJ", "07102", ("973",)), ("Camden", "NJ", "08102", ("856",)),
    ("New York", "NY", "10013", ("212", "646")), ("Flushing", "NY", "11354", ("718",)),
    ("Brooklyn", "NY", "11224", ("718", "347")), ("Boston", "MA", "02118", ("617",)),
    ("Worcester", "MA", "01608", ("508",)), ("Providence", "RI", "02903", ("401",)),
    ("Hartford", "CT", "06103", ("860",)), ("Burlington", "VT", "05401", ("802",)),
    ("Portland", "ME", "04101", ("207",)), ("Manchester", "NH", "03101", ("603",)),
    ("Cleveland", "OH", "44113", ("216",)), ("Columbus", "OH", "43215", ("614",)),
    ("Dayton", "OH", "45402", ("937",)), ("Detroit", "MI", "48226", ("313",)),
    ("Dearborn", "MI", "48126", ("313",)), ("Chicago", "IL", "60607", ("312", "773")),
    ("Milwaukee", "WI", "53204", ("414",)), ("Minneapolis", "MN", "55404", ("612",)),
    ("Louisville", "KY", "40202", ("502",)), ("Huntington", "WV", "25701", ("304",)),
    ("Charleston", "WV", "25301", ("304",)), ("Nashville", "TN", "37203", ("615",)),
    ("Atlanta", "GA", "30303", ("404",)), ("Miami", "FL", "33125", ("305", "786")),
    ("Tampa", "FL", "33602", ("813",)), ("Houston", "TX", "77002", ("713", "832")),
    ("San Antonio", "TX", "78207", ("210",)), ("El Paso", "TX", "79901", ("915",)),
    ("Albuquerque", "NM", "87102", ("505",)), ("Española", "NM", "87532", ("505",)),
    ("Phoenix", "AZ", "85004", ("602",)), ("Denver", "CO", "80204", ("303", "720")),
    ("Salt Lake City", "UT", "84101", ("801",)), ("Seattle", "WA", "98104", ("206",)),
    ("Portland", "OR", "97209", ("503",)), ("San Francisco", "CA", "94102", ("415",)),
    ("Oakland", "CA", "94607", ("510",)), ("Los Angeles", "CA", "90012", ("213", "323")),
    ("San Diego", "CA", "92101", ("619",)), ("Fresno", "CA", "93721", ("559",)),
    ("Anchorage", "AK", "99501", ("907",)), ("Honolulu", "HI", "96813", ("808",)),
    ("Coeur d'Alene", "ID", "83814", ("208",)), ("Winston-Salem", "NC", "27101", ("336",)),
    ("St. Louis", "MO", "63103", ("314",)), ("Kansas City", "MO", "64106", ("816",)),
)
REGIONS = (
    "the Eastern Shore", "Western Maryland", "the Greater Delaware Valley", "the Lower Shore",
    "the Tri-County Area", "the Mon Valley", "Southern New Mexico", "the Inland Empire",
    "the Upper Peninsula", "the Central Valley", "the Ohio River Valley", "Metro West",
)
SAINTS = ("St. Mary's", "St. Luke's", "St. Joseph's", "St. Agnes", "Our Lady of Mercy",
          "Holy Cross", "Mercy", "Good Samaritan", "St. Vincent de Paul", "Providence")
PROGRAMS = (
    "Outpatient Opioid Treatment Program", "Medication for Addiction Treatment (MAT) Clinic",
    "Comprehensive Addiction Recovery Services", "Harm Reduction & Syringe Services Program",
    "Behavioral Health Urgent Care", "Intensive Outpatient Program (IOP)",
    "Bridge Clinic", "Recovery Support Center", "Mobile Health Unit", "Drop-In Center",
    "Withdrawal Management Unit", "Office-Based Addiction Treatment (OBAT)",
)
CORES = (
    "Comprehensive Behavioral Health and Recovery Services", "Harm Reduction Coalition",
    "Recovery Community Organization", "Community Health Center", "Treatment Services",
    "Family Counseling & Recovery", "Opioid Treatment Program", "Wellness & Recovery Center",
    "Substance Use Disorder Services", "Peer Recovery Network", "Addiction Medicine Associates",
    "Center for Addiction Treatment and Research", "Health & Human Services Department",
    "Syringe Services Program", "Integrated Care Clinic", "Recovery Resource Center",
)
FOUNDERS = ("Ramírez", "O'Connor", "Nguyen", "Washington", "Kowalski", "Johnson", "Peña",
            "D'Angelo", "Al-Sayed", "McAllister", "Okafor", "Goldberg", "Castillo", "Yazzie")
FIRMS = ("Inc.", "LLC", "P.C.", "PLLC", "Inc.", "")
STREETS = (
    "Commerce Park Drive", "Martin Luther King Jr. Boulevard", "Eastern Avenue", "Main Street",
    "W. Lexington Street", "N. Broadway", "Pennsylvania Avenue", "Industrial Parkway",
    "Medical Center Drive", "Old Frederick Road", "Route 50", "Fort Avenue", "E. Fayette St",
    "Research Boulevard", "Riverside Drive", "Harbor View Court", "Hospital Drive",
    "César Chávez Avenue", "Calle Ocho", "Avenida de la Paz",
)
SCRIPT_NAMES = (  # (name, hand-written slug or "" where the name has Latin letters, extra language)
    ("华埠社区健康中心", "chinatown-community-health-center", "zh-Hans"),
    ("中华公所戒毒康复服务中心", "chinese-association-recovery-center", "zh-Hans"),
    ("华人社区减害服务 – Flushing", "", "zh-Hans"),
    ("مركز الحد من الضرر — Dearborn", "", "ar"),
    ("مركز الأمل للتعافي والعلاج", "hope-recovery-center-dearborn", "ar"),
    ("한인 회복 지원 센터", "korean-recovery-support-center", ""),
    ("코리아타운 가족 상담소 – Los Angeles", "", ""),
    ("Trung tâm Hỗ trợ Phục hồi Cộng đồng Việt Nam", "", "vi"),
    ("Phòng khám Sức khỏe Cộng đồng Người Việt – Houston", "", "vi"),
    ("Clínica Comunitaria Señor de los Milagros – Servicios de Recuperación", "", ""),
    ("Centro de Salud Mental y Adicciones Peña y Asociados", "", ""),
    ("Programa de Reducción de Daños «La Esperanza» – Española", "", ""),
    ("Центр помощи и восстановления «Надежда»", "nadezhda-recovery-center", ""),
    ("Русскоязычная служба поддержки – Brighton Beach", "", ""),
    ("Ñandú Salud Integral – Clínica de Tratamiento Ambulatorio", "", ""),
    ("سلامة للصحة المجتمعية", "salama-community-health", "ar"),
)
NO_SLUG = {"华埠社区健康中心", "한인 회복 지원 센터", "Центр помощи и восстановления «Надежда»"}

HOURS = (
    "24/7",
    "Mon-Fri 09:00-17:00",
    "Mon-Fri 08:00-16:30; Sat 09:00-12:00",
    "Mon-Fri 08:30-12:00,13:00-17:30; Sat 10:00-14:00",
    "Mon,Wed,Fri 08:00-12:00; Tue,Thu 12:00-20:00",
    "Mon-Thu 07:00-19:00; Fri 07:00-15:00; Sat,Sun 08:00-12:00",
    "Monday-Friday 6:00-14:00",
    "Mon–Fri 09:00–17:00; Sat 10:00–13:00",
    "Tue-Sat 11:00-19:00",
    "Sat 00:00-24:00; Sun 00:00-24:00",
    "Mon-Fri 05:30-11:00,13:00-15:00; Sat 06:00-10:00; Sun 07:00-09:00",
    "Mon,Tue,Thu 10:00-18:00; Wed 12:00-20:00; Fri 10:00-14:00",
    "Wed 17:00-21:00",
    "Fri 20:00-24:00; Sat 00:00-04:00,20:00-24:00",
    "",  # no hours given
)
URL_SAFE = string.ascii_letters + string.digits + "-_"
ALNUM = string.ascii_letters + string.digits


def slugify(text: str) -> str:
    """The loader's own rule (makeprint_engine.fields.slugify), so derived slugs are unique."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", without_marks.lower()).strip("-")


def has_latin(text: str) -> bool:
    return any("LATIN" in unicodedata.name(c, "") for c in text)


class Maker:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.slugs: set[str] = set()
        self.phones = 0

    def pick(self, options):  # type: ignore[no-untyped-def]
        return self.rng.choice(options)

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    # --- names -------------------------------------------------------------------------------

    def latin_name(self, city: str) -> str:
        r = self.rng
        kind = r.randrange(9)
        if kind == 0:
            return f"{r.choice(CORES)} of {r.choice(REGIONS)}"
        if kind == 1:
            return f"{r.choice(SAINTS)} Hospital Center – {r.choice(PROGRAMS)}"
        if kind == 2:
            return f"{city} {r.choice(CORES)}"
        if kind == 3:
            firm = r.choice(FIRMS)
            tail = f", {firm}" if firm else ""
            return f"{r.choice(FOUNDERS)} {r.choice(CORES)}{tail} – {city}"
        if kind == 4:
            words = r.choice(CORES).replace("&", "and").split()
            initials = "".join(w[0] for w in words if w[0].isupper())
            return f"{city} {' '.join(words)} ({initials}) – {r.choice(PROGRAMS)}"
        if kind == 5:
            return f"Dr. {r.choice(FOUNDERS)} Family Medicine & {r.choice(PROGRAMS)}"
        if kind == 6:
            return f"{r.choice(('New Hope', 'Second Chance', 'Bright Path', 'Open Door'))} "\
                   f"Treatment Centers, Inc. – {city}"
        if kind == 7:  # short
            return r.choice(("Harbor House", "The Bridge", "Safe Haven Clinic", "Project HOPE",
                             "Ace Recovery", "Step Up DC", "CARE Van")) + f" {city}"
        county = f"{city} County" if r.random() < 0.5 else f"City of {city}"
        return f"{county} Department of Health – {r.choice(PROGRAMS)}"

    def name(self, city: str) -> str:
        for _ in range(100):
            name = self.latin_name(city)
            if 15 <= len(name) <= 100 and slugify(name) not in self.slugs:
                return name
        raise RuntimeError("no unique name found")  # pragma: no cover

    # --- fields ------------------------------------------------------------------------------

    def street(self) -> str:
        r = self.rng
        base = f"{r.randint(1, 9899)} {r.choice(STREETS)}"
        extra = r.random()
        if extra < 0.25:
            base += f", Suite {r.choice((100, 120, 200, 204, 300, 410, 1200))}"
        elif extra < 0.4:
            base += f", Suite {r.randint(1, 9)}00, Building {r.choice('ABCDE')}"
        elif extra < 0.5:
            base += f", {r.choice(('2nd', '3rd', '4th', 'Ground'))} Floor"
        elif extra < 0.58:
            base = f"c/o {r.choice(SAINTS)} Church, {base}, Rm {r.randint(1, 299)}"
        elif extra < 0.63:
            base = f"Parking lot at {base}"
        elif extra < 0.7:
            base += f", Bldg. {r.randint(1, 12)}, Floor {r.randint(1, 6)}, Suite {r.randint(1, 40)}"
        return base

    def phone(self, area: str) -> str:
        r = self.rng
        self.phones += 1
        n = f"01{r.randint(0, 99):02d}"
        form = r.randrange(6)
        text = (f"({area}) 555-{n}", f"{area}-555-{n}", f"{area}.555.{n}", f"+1 {area} 555 {n}",
                f"1-{area}-555-{n}", f"({area}) 555-{n}")[form]
        ext = r.random()
        if ext < 0.18:
            text += f" ext. {r.randint(2, 999)}"
        elif ext < 0.28:
            text += f" x{r.randint(2, 99)}"
        return text

    def domain(self, name: str) -> str:
        words = [w for w in re.findall(r"[a-z]+", slugify(name)) if w not in ("the", "of", "and")]
        limit = self.rng.choice((12, 20, 28, 36))
        label = ""
        for word in words:  # whole words, as organizations name their domains
            if label and len(label) + len(word) > limit:
                break
            label += word
        label = label or "program"
        return f"{label}.{self.pick(('example.org', 'example.com', 'example.org'))}"

    def google_form(self) -> str:
        return "https://docs.google.com/forms/d/e/1FAIpQLSe" + self.chars(URL_SAFE, 48)

    def intake(self, domain: str, slug: str) -> tuple[str, str]:
        """(intake_url, intake_short_url) of one of the shapes programs really have."""
        r = self.rng
        x = r.random()
        short = ""
        if x < 0.16:
            url = self.google_form() + "/viewform?usp=sf_link"
            if r.random() < 0.45:
                short = "https://forms.gle/" + self.chars(ALNUM, 17)
        elif x < 0.21:
            url = (self.google_form() + "/viewform?usp=pp_url&entry."
                   + str(r.randint(10**8, 10**10)) + "={slug}")
            if r.random() < 0.5:
                short = "https://forms.gle/" + self.chars(ALNUM, 17)
        elif x < 0.27:
            url = "https://forms.gle/" + self.chars(ALNUM, 17)
        elif x < 0.35:
            url = "https://forms.office.com/Pages/ResponsePage.aspx?id=" + self.chars(URL_SAFE, 80)
            if r.random() < 0.4:
                short = "https://forms.office.com/r/" + self.chars(ALNUM, 10)
        elif x < 0.40:
            url = f"https://form.jotform.com/{r.randint(10**14, 10**15 - 1)}"
        elif x < 0.44:
            account = slugify(domain.split(".")[0])[:14] or "intake"
            url = f"https://{account}.typeform.com/to/" + self.chars(ALNUM, 8)
        elif x < 0.48:
            url = "https://www.surveymonkey.com/r/" + self.chars(string.ascii_uppercase
                                                                 + string.digits, 7)
        elif x < 0.53:
            univ = self.pick(("umaryland", "jhmi", "upenn", "pitt", "uw", "ucsf", "bu"))
            url = f"https://redcap.{univ}.example.edu/surveys/?s=" + self.chars(
                string.ascii_uppercase + string.digits, 10)
        elif x < 0.66:
            path = self.pick(("/get-started/intake", "/intake", "/services/new-patient-intake",
                              "/contact/referral-form", "/get-help"))
            url = f"https://www.{domain}{path}"
            if r.random() < 0.25:
                url += self.pick(("?site={slug}", "?site={slug}&lang={lang}"))
            if r.random() < 0.3:
                short = f"https://{self.pick(('go.example', 'hr.example', 'lnk.example'))}/" + \
                    self.chars(ALNUM, r.randint(4, 7))
        elif x < 0.74:
            url = f"https://example.org/intake?site={slug or 'x' + self.chars(ALNUM, 4)}"
        else:
            url = ""  # none: the organization's default
        return url, short

    def row(self, index: int, script_name: tuple[str, str, str] | None) -> dict[str, str]:
        r = self.rng
        city, state, zip_code, areas = r.choice(PLACES)
        languages = "en;es"
        slug = ""
        if script_name is not None:
            name, slug, extra = script_name
            if extra:
                languages = f"en;es;{extra}"
        else:
            name = self.name(city)
            if r.random() < 0.04:
                languages = "en;es;" + r.choice(("vi", "zh-Hans", "ar"))
        key = slug or slugify(name)
        if key in self.slugs:
            raise RuntimeError(f"duplicate slug {key}")  # pragma: no cover
        self.slugs.add(key)
        domain = self.domain(name if has_latin(name) else key)
        url, short = self.intake(domain, key)
        short_name = ""
        if len(name) > 45 and r.random() < 0.35:
            short_name = re.split(r" – | — | \(|,", name)[0].strip()
            while len(short_name) > 40 or short_name.endswith((" of", " and", " the", " &")):
                short_name = short_name.rsplit(" ", 1)[0]
            if short_name == name or len(short_name) < 6:
                short_name = ""
        count = 16 if r.random() < 0.08 else r.randint(1, 15)
        services = r.sample(SERVICES, count)
        return {
            "slug": slug,
            "name": name,
            "short_name": short_name,
            "street": self.street(),
            "city": city,
            "region": state,
            "postal_code": zip_code if r.random() < 0.9 else f"{zip_code}-{r.randint(1, 9999):04d}",
            "country": "US" if r.random() < 0.3 else "",
            "phone": self.phone(r.choice(areas)),
            "sms": self.phone(r.choice(areas)).split(" ext")[0].split(" x")[0]
            if r.random() < 0.15 else "",
            "email": f"{r.choice(('intake', 'info', 'help', 'frontdesk'))}@{domain}"
            if r.random() < 0.3 else "",
            "website": f"https://www.{domain}/" + r.choice(("", "", "locations/" + slugify(city)))
            if r.random() < 0.55 else "",
            "intake_url": url,
            "intake_short_url": short,
            "hours": r.choice(HOURS),
            "services": ";".join(services),
            "languages": languages,
            "# note": NOTE,
        }


def generate(count: int = COUNT, seed: int = SEED, today: bool = False) -> list[dict[str, str]]:
    maker = Maker(seed)
    every = count / len(SCRIPT_NAMES)  # spread through the file
    script_at = {round((i + 0.5) * every): s for i, s in enumerate(SCRIPT_NAMES)}
    rows = []
    for index in range(count):
        script = script_at.get(index)
        row = maker.row(index, script)
        if script is not None and not has_latin(script[0]) and script[0] in NO_SLUG:
            if today:  # before issue 14 such a name needs a hand-written slug
                row["slug"] = script[1]
            else:
                row["slug"] = ""
                row["# note"] += NO_SLUG_NOTE
        rows.append(row)
    return rows


def write(path: Path, rows: list[dict[str, str]], today: bool) -> None:
    columns = [c for c in COLUMNS if not (today and c in ISSUE_COLUMNS)]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, columns, extrasaction="ignore", lineterminator="\n")
        out.writeheader()
        out.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", action="store_true",
                        help="only the columns the code before issue 14 knows")
    parser.add_argument("--out", type=Path, default=None, help=f"default: {OUT.name} here")
    parser.add_argument("--count", type=int, default=COUNT)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    out = args.out or OUT
    rows = generate(args.count, args.seed, args.today)
    write(out, rows, args.today)
    print(f"{len(rows)} locations written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
