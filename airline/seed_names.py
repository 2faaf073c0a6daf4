"""Who the synthetic passengers are: names in their language, and contact details that
cannot reach anybody (e-mail at RFC 2606 domains, phone numbers from the ranges regulators
keep for fiction). Data for `airline.seed_people`, kept apart from how seats are sold.
"""

from __future__ import annotations

import random
import string
import unicodedata
from functools import cache

LANGUAGE_OF_COUNTRY = {
    "GB": "en", "IE": "en", "US": "en", "DE": "de", "AT": "de", "CH": "de", "FR": "fr",
    "BE": "fr", "ES": "es", "IT": "it", "NL": "nl", "PT": "pt", "PL": "pl", "SE": "sv",
    "DK": "da", "NO": "nb", "FI": "fi", "CZ": "cs", "HU": "hu", "GR": "el",
}  # fmt: skip

# language: (female first names, male first names, family names). "Masc|Fem" marks a
# family name with a feminine form; "native:latin" gives the romanization for e-mail.
_NAMES: dict[str, tuple[str, str, str]] = {
    "en": ("Emma,Olivia,Amelia,Isla,Sophie,Grace,Emily,Charlotte,Siobhan,Megan",
           "Oliver,James,Jack,Harry,William,Thomas,Michael,Daniel,Liam,Connor",
           "Smith,Jones,Taylor,Brown,Williams,Wilson,Johnson,Davies,Walker,Wright,"
           "Robinson,Thompson,Murphy,O'Brien,Campbell,Clarke,Kelly,Miller"),
    "de": ("Anna,Lena,Marie,Sabine,Ursula,Katrin,Hannah,Jana,Jördis,Käthe",
           "Lukas,Jürgen,Jonas,Maximilian,Felix,Tobias,Björn,Matthias,Sören,Florian",
           "Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,"
           "Schäfer,Koch,Bauer,Richter,Klein,Groß,Huber,Steiner"),
    "fr": ("Camille,Léa,Chloé,Manon,Inès,Jade,Zoé,Élodie,Noémie,Margaux",
           "Hugo,Louis,Gabriel,Arthur,Théo,Raphaël,Mathis,Jérôme,François,Benoît",
           "Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,"
           "Laurent,Lefèvre,Michel,Fontaine,Rousseau,Peeters,Dupont"),
    "es": ("Lucía,Sofía,Valeria,Carmen,Paula,Elena,Marta,Nuria,Inés,Begoña",
           "Mateo,Martín,Alejandro,Javier,Pablo,Diego,Álvaro,Sergio,Jorge,Íñigo",
           "García,Fernández,González,Rodríguez,López,Martínez,Sánchez,Pérez,Gómez,Ruiz,"
           "Díaz,Moreno,Muñoz,Álvarez,Romero,Navarro"),
    "it": ("Giulia,Chiara,Sofia,Aurora,Martina,Giorgia,Federica,Beatrice,Francesca,Elisa",
           "Francesco,Alessandro,Lorenzo,Matteo,Leonardo,Riccardo,Niccolò,Tommaso,Luca,Marco",
           "Rossi,Russo,Ferrari,Esposito,Bianchi,Romano,Colombo,Ricci,Marino,Greco,Bruno,"
           "Gallo,Conti,De Luca,Costa,Fontana"),
    "nl": ("Emma,Julia,Tess,Sanne,Fleur,Anouk,Lieke,Maartje,Femke,Ilse",
           "Daan,Sem,Lucas,Bram,Thijs,Jeroen,Ruben,Joris,Sjoerd,Pieter",
           "de Jong,Jansen,de Vries,van den Berg,van Dijk,Bakker,Janssen,Visser,Smit,"
           "Meijer,de Boer,Mulder,de Groot,Bos,Vos,Peeters"),
    "pt": ("Maria,Beatriz,Inês,Leonor,Matilde,Carolina,Mariana,Joana",
           "João,Tiago,Rodrigo,Duarte,Gonçalo,Afonso,Diogo,Nuno",
           "Silva,Santos,Ferreira,Pereira,Oliveira,Costa,Rodrigues,Martins,Sousa,Fernandes,"
           "Gonçalves,Lopes"),
    "pl": ("Zuzanna,Julia,Maja,Zofia,Hanna,Agnieszka,Małgorzata,Katarzyna",
           "Jakub,Antoni,Szymon,Jan,Filip,Michał,Łukasz,Paweł",
           "Nowak,Kowalski|Kowalska,Wiśniewski|Wiśniewska,Wójcik,Kowalczyk,Kamiński|Kamińska,"
           "Lewandowski|Lewandowska,Zieliński|Zielińska,Woźniak,Mazur,Krawczyk,Zając"),
    "sv": ("Astrid,Ingrid,Maja,Elsa,Saga,Linnéa,Karin,Ebba",
           "Erik,Lars,Oskar,Nils,Johan,Björn,Axel,Gustav",
           "Andersson,Johansson,Karlsson,Nilsson,Eriksson,Larsson,Olsson,Persson,Svensson,"
           "Gustafsson,Lindqvist,Åberg"),
    "da": ("Freja,Ida,Sofie,Clara,Emma,Mette,Signe,Astrid",
           "Mads,Rasmus,Søren,Magnus,Frederik,Anders,Mikkel,Kasper",
           "Nielsen,Jensen,Hansen,Pedersen,Andersen,Christensen,Larsen,Sørensen,Rasmussen,"
           "Jørgensen,Madsen,Kristensen"),
    "nb": ("Kari,Nora,Ingrid,Sigrid,Thea,Solveig,Ingeborg,Maren",
           "Ola,Jakob,Emil,Henrik,Håkon,Eirik,Sindre,Øyvind",
           "Hansen,Johansen,Olsen,Larsen,Andersen,Pedersen,Nilsen,Kristiansen,Berg,Haugen,"
           "Hagen,Bakke"),
    "fi": ("Aino,Sanna,Eveliina,Helmi,Päivi,Kaisa,Johanna,Elina",
           "Juha,Mikko,Matti,Antti,Jukka,Ville,Timo,Janne",
           "Korhonen,Virtanen,Mäkinen,Nieminen,Mäkelä,Hämäläinen,Laine,Heikkinen,Koskinen,"
           "Järvinen,Lehtonen,Saarinen"),
    "cs": ("Tereza,Eliška,Anna,Karolína,Kateřina,Adéla,Lucie,Markéta",
           "Jan,Jakub,Tomáš,Vojtěch,Matěj,Lukáš,Petr,Jiří",
           "Novák|Nováková,Svoboda|Svobodová,Dvořák|Dvořáková,Černý|Černá,"
           "Procházka|Procházková,Kučera|Kučerová,Veselý|Veselá,Horák|Horáková,"
           "Němec|Němcová,Marek|Marková"),
    "hu": ("Anna,Eszter,Zsófia,Katalin,Réka,Dóra,Judit,Orsolya",
           "László,István,Bence,Gábor,Zoltán,Máté,Péter,Attila",
           "Nagy,Kovács,Tóth,Szabó,Horváth,Varga,Kiss,Molnár,Németh,Farkas,Balogh,Papp"),
    "el": ("Μαρία,Ελένη,Αικατερίνη,Βασιλική,Σοφία,Γεωργία,Δέσποινα,Ειρήνη",
           "Γιώργος,Δημήτρης,Κωνσταντίνος,Γιάννης,Νίκος,Παναγιώτης,Χρήστος,Θανάσης",
           "Παπαδόπουλος|Παπαδοπούλου,Παπαδάκης,Γεωργίου,Οικονόμου,Νικολάου,Βασιλείου,"
           "Αντωνίου,Ιωάννου,Καραγιάννης|Καραγιάννη,Μαυρίδης|Μαυρίδου"),
    "zh": ("芳:Fang,娜:Na,敏:Min,静:Jing,婷:Ting,欣怡:Xinyi,雨涵:Yuhan,秀英:Xiuying",
           "伟:Wei,磊:Lei,杰:Jie,洋:Yang,强:Qiang,子轩:Zixuan,浩然:Haoran,建国:Jianguo",
           "王:Wang,李:Li,张:Zhang,刘:Liu,陈:Chen,杨:Yang,黄:Huang,赵:Zhao,吴:Wu,周:Zhou"),
}  # fmt: skip
NAME_LISTS = {
    language: tuple(tuple(names.split(",")) for names in lists)
    for language, lists in _NAMES.items()
}
FAMILY_NAME_FIRST = frozenset({"zh", "hu"})
_GREEK = "αβγδεζηθικλμνξοπρσςτυφχψω"
_GREEK_LATIN = str.maketrans(
    dict(zip(_GREEK, "a v g d e z i th i k l m n x o p r s s t y f ch ps o".split(), strict=True))
)
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "ł": "l", "đ": "d"})


@cache
def ascii_name(text: str) -> str:
    """Lower-case ASCII letters for an e-mail address: Jördis → jordis, Μαρία → maria."""
    text = unicodedata.normalize("NFKD", text.lower().replace("ου", "ou"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_GREEK_LATIN).translate(_FOLD)
    return "".join(ch for ch in text if ch in string.ascii_lowercase) or "traveller"


def phone_pools(rng: random.Random) -> dict[str, list[str]]:
    """Numbers reserved for fiction, which no subscriber can ever have, shuffled.

    Sources: Ofcom drama numbers 07700 900000–900999 (UK mobile); Bundesnetzagentur
    Mitteilung 148/2021, drama numbers in Berlin, Frankfurt, Hamburg, Cologne and Munich
    (landlines: Germany publishes no mobile range); ARCEP 06 39 98 xx xx (French mobile);
    NANPA 555-0100–555-0199 in any North American area code. Other countries publish no
    range, so their customers get North American numbers rather than someone's real one.
    """
    german = ("3023125", "6990009", "4066969", "2214710", "8999998")
    # N11 codes (211, 311, 411) are service codes, not area codes.
    area_codes = [f"{a}{b}{c}" for a in "234" for b in "012345678" for c in "0123456789"]
    area_codes = [npa for npa in area_codes if npa[1:] != "11"]
    pools = {
        "en": [f"+447700900{n:03d}" for n in range(1000)],
        "de": [f"+49{block}{n:03d}" for block in german for n in range(1000)],
        "fr": [f"+3363998{n:04d}" for n in range(10_000)],
        "US": [f"+1{npa}55501{n:02d}" for npa in area_codes for n in range(100)],
    }
    for pool in pools.values():
        rng.shuffle(pool)
    return pools


def phone(pools: dict[str, list[str]], pool: str, n: int) -> str:
    """The next unused number of `pool`, else of the North American pool."""
    for name in (pool, "US"):
        if pools.get(name):
            return pools[name].pop()
    # Only past ~37 000 SMS users: every number is taken, so numbers start to repeat.
    return f"+1202555{100 + n % 100:04d}"
