"""Universal entities: EMAIL, CREDIT_CARD, PHONE_NUMBER, BANK_ACCOUNT, PERSON_NAME, DATE, ADDRESS, GPS."""

from __future__ import annotations

from transforms.detect_pii import validators as v
from transforms.detect_pii.entities.base import (
    DIGITS_LEFT,
    DIGITS_RIGHT,
    NUMERIC_DECOY_WORDS,
    WORD_LEFT,
    WORD_RIGHT,
    EntityDef,
    Pattern,
)

U = frozenset({"universal"})

EMAIL = EntityDef(
    name="EMAIL",
    categories=U,
    patterns=(
        Pattern(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}"
            r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])"
        ),
    ),
    validator=v.email_valid,
    context_words=frozenset({"email", "mail", "e_mail", "emailaddress", "contact"}),
    priority=90,
    description="E-mail address (RFC 5322 dot-atom local part, DNS domain, alphabetic TLD)",
)

CREDIT_CARD = EntityDef(
    name="CREDIT_CARD",
    categories=U,
    patterns=(Pattern(DIGITS_LEFT + r"[0-9](?:[ -]?[0-9]){11,18}" + DIGITS_RIGHT),),
    validator=v.credit_card_valid,
    context_words=frozenset(
        {
            "card",
            "credit",
            "cc",
            "pan",
            "visa",
            "mastercard",
            "amex",
            "creditcard",
            "cardnumber",
            "credit_card",
            "debit",
            "payment",
        }
    ),
    veto_words=NUMERIC_DECOY_WORDS,
    priority=80,
    description="Payment card number: 12-19 digits, issuer (IIN) prefix valid for the length, Luhn",
)

_NANP_FORMATTED = (
    r"(?<![0-9A-Za-z+])(?:\+?1[ .-]?)?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[ .-])[2-9][0-9]{2}[ .-][0-9]{4}"
    + DIGITS_RIGHT
)
PHONE_NUMBER = EntityDef(
    name="PHONE_NUMBER",
    categories=U,
    patterns=(
        Pattern(_NANP_FORMATTED),
        Pattern(r"(?<![0-9A-Za-z+])\+[1-9](?:[ .-]?[0-9]|[ .-]?\([0-9]{1,4}\)){6,14}" + DIGITS_RIGHT),
        Pattern(DIGITS_LEFT + r"1?[2-9][0-9]{9}" + DIGITS_RIGHT, context="required"),
    ),
    validator=v.phone_valid,
    context_words=frozenset(
        {
            "phone",
            "mobile",
            "cell",
            "tel",
            "telephone",
            "fax",
            "msisdn",
            "phonenumber",
            "mobilenumber",
            "cellphone",
            "contact",
            "call",
            "sms",
            "whatsapp",
        }
    ),
    veto_words=NUMERIC_DECOY_WORDS,
    priority=60,
    description="Phone number: NANP (NPA/NXX rules) or international E.164 (+country code, 8-15 digits)",
)

BANK_ACCOUNT = EntityDef(
    name="BANK_ACCOUNT",
    categories=U,
    patterns=(
        Pattern(WORD_LEFT + r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?" + WORD_RIGHT),
        Pattern(DIGITS_LEFT + r"[0-9]{8,17}" + DIGITS_RIGHT, context="required"),
    ),
    validator=v.bank_account_valid,
    context_words=frozenset(
        {"account", "acct", "iban", "bank", "bban", "checking", "savings", "accountnumber", "bank_account", "acc"}
    ),
    veto_words=NUMERIC_DECOY_WORDS,
    priority=70,
    description="Bank account: IBAN (country length + mod-97) anywhere; 8-17 digit account numbers with context",
)

_NOT_A_PERSON = frozenset(
    {
        "product",
        "company",
        "file",
        "filename",
        "host",
        "hostname",
        "user",
        "username",
        "table",
        "column",
        "city",
        "street",
        "job",
        "title",
        "brand",
        "item",
        "category",
        "org",
        "organization",
        "organisation",
        "business",
        "bank",
        "app",
        "event",
        "schema",
        "field",
        "display",
        "screen",
        "nick",
        "nickname",
        "login",
        "server",
        "device",
        "database",
        "team",
        "project",
        "store",
        "shop",
        "country",
        "state",
        "clinic",
        "hospital",
        "drug",
        "plan",
        "tag",
        "label",
        "group",
        "role",
        "domain",
        "campaign",
        "vendor",
        "merchant",
    }
) | frozenset({"hash", "hashed", "masked", "redacted", "token", "encrypted", "hmac", "sha256"})

_NAME_SHAPE = r"^[ \t]*[^0-9@#$%&*=+<>{}\[\]|/\\:;]{1,80}[ \t]*$"
PERSON_NAME = EntityDef(
    name="PERSON_NAME",
    categories=frozenset({"universal", "hipaa"}),
    patterns=(
        Pattern(_NAME_SHAPE, context="required", whole_value=True),
        # no name context: a name-shaped value counts only with a common given name or surname in it, and
        # (majority) only when most of the column is such names; in cells it needs context like the above
        Pattern(_NAME_SHAPE, context="majority", whole_value=True, validator=v.person_name_known),
    ),
    validator=v.person_name_valid,
    context_words=frozenset(
        {
            "name",
            "firstname",
            "lastname",
            "surname",
            "fullname",
            "forename",
            "givenname",
            "familyname",
            "middlename",
            "first_name",
            "last_name",
            "full_name",
            "maiden",
        }
    ),
    hard_veto_words=_NOT_A_PERSON,
    priority=10,
    description="Person name (no NER): 1-4 capitalised alphabetic tokens, any script, in a name-like column; "
    "elsewhere a column made mostly of names containing a common given name or surname",
)

DATE = EntityDef(
    name="DATE",
    categories=U,
    patterns=(
        Pattern(DIGITS_LEFT + r"(?:19|20)[0-9]{2}[-/.][0-9]{1,2}[-/.][0-9]{1,2}" + DIGITS_RIGHT, context="majority"),
        Pattern(DIGITS_LEFT + r"[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:19|20)[0-9]{2}" + DIGITS_RIGHT, context="majority"),
    ),
    validator=v.date_valid,
    context_words=frozenset(
        {"dob", "birth", "birthdate", "birthday", "born", "dateofbirth", "date_of_birth", "birth_date", "bday"}
    ),
    priority=30,
    veto_words=frozenset(
        {"created", "updated", "modified", "timestamp", "ts", "event", "order", "invoice", "shipped", "due"}
    ),
    description="Date (of birth): a real calendar date 1900..today; in text only with birth context, in a "
    "column also when most of its values are such dates (Glue's DATE flags dates generally)",
)

_STREET_SUFFIXES = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Terrace|Way|Parkway|Pkwy|"
    "Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Alley|Crossing|Xing|Loop|Path|Pike|Plaza|Ridge|Row|Run|Walk|"
    "Crescent|Close|Grove|Gardens|Heights|Hill|Hills|Park|Point|Pointe|Port|Ports|Pass|Pines|Plains|Ranch|"
    "Rapids|Shoals|Shore|Shores|Springs|Spring|Station|Stream|Summit|Valley|Views|View|Village|Villages|Ville|"
    "Vista|Well|Wells|Fork|Forks|Ford|Fords|Forest|Fort|Freeway|Glen|Glens|Green|Greens|Harbor|Harbors|Haven|"
    "Island|Islands|Isle|Junction|Junctions|Key|Keys|Knoll|Knolls|Lake|Lakes|Landing|Light|Lights|Lock|Locks|"
    "Lodge|Manor|Manors|Meadow|Meadows|Mill|Mills|Mission|Motorway|Mount|Mountain|Mountains|Neck|Orchard|Oval|"
    "Overpass|Radial|Ramp|Rest|Route|Skyway|Spur|Squares|Stravenue|Throughway|Trace|Track|Trafficway|Tunnel|"
    "Turnpike|Underpass|Union|Unions|Expressway|Extension|Extensions|Falls|Ferry|Field|Fields|Flat|Flats|Bypass|"
    "Camp|Canyon|Cape|Causeway|Center|Centers|Cliff|Cliffs|Club|Common|Commons|Corner|Corners|Course|Courts|Cove|"
    "Coves|Creek|Dale|Dam|Divide|Drives|Estate|Estates|Bluff|Bluffs|Bottom|Branch|Bridge|Brook|Brooks|Burg|"
    "Burgs|Avenue|Crest|Harbour|Mall|Garden|Gateway|Gateways|Arcade|Beach|Bend|Ways|Heights|Hollow|Inlet|"
    "Parks|Parkways|Passage|Prairie|Ridges|Roads|Routes|Shoal|Streets|Trafficway|Viaduct|Vista|Wall|Lane"
)
ADDRESS = EntityDef(
    name="ADDRESS",
    categories=U,
    patterns=(
        Pattern(
            WORD_LEFT + r"[0-9]{1,6}[A-Za-z]?(?: [A-Z][A-Za-z'.-]*){1,4} (?:" + _STREET_SUFFIXES + r")\.?"
            r"(?:,? (?:Apt\.?|Suite|Unit|#) ?[0-9A-Za-z-]{1,6})?" + WORD_RIGHT
        ),
    ),
    validator=v.address_valid,
    context_words=frozenset(
        {
            "address",
            "street",
            "addr",
            "address1",
            "address2",
            "residence",
            "mailing",
            "home",
            "streetaddress",
            "street_address",
            "line1",
        }
    ),
    priority=40,
    description="Street address: house number, capitalised street words and a street suffix (USPS list)",
)

GPS_COORDINATES = EntityDef(
    name="GPS_COORDINATES",
    categories=frozenset({"universal", "custom"}),
    patterns=(
        Pattern(
            r"(?<![0-9A-Za-z.])\(?[-+]?[0-9]{1,2}\.[0-9]{3,12} ?[,;] ?[-+]?[0-9]{1,3}\.[0-9]{3,12}\)?"
            r"(?![0-9A-Za-z])(?![.,][0-9])"
        ),
    ),
    validator=v.gps_valid,
    context_words=frozenset(
        {
            "geo",
            "gps",
            "coordinates",
            "coord",
            "coords",
            "location",
            "latlong",
            "latlon",
            "position",
            "geolocation",
            "lat_long",
            "lat_lon",
        }
    ),
    veto_words=frozenset({"amount", "price", "range", "ratio"}),
    priority=55,
    description="GPS coordinates: 'lat, lon' decimal degrees with >= 3 decimals, in range (the seed's custom type)",
    glue_managed=False,
)

ENTITIES = (EMAIL, CREDIT_CARD, PHONE_NUMBER, BANK_ACCOUNT, PERSON_NAME, DATE, ADDRESS, GPS_COORDINATES)
