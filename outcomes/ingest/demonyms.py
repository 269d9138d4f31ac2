"""Other names and the demonyms of the Rabat Process's partner countries, in French and English.

The country table gives each country's French and English names; these are the forms a document also uses: short
names ("RDC", "Congo-Brazzaville"), and the adjectives and nouns of nationality. French forms are given in the
masculine singular and inflected by `inflect` (sénégalais → sénégalaise, sénégalaises; malien → malienne…).
"""

# code: (other names, French demonyms, English demonyms)
FORMS = {
    "AT": ("", "autrichien", "Austrian"),
    "BE": ("", "belge", "Belgian"),
    "BF": ("", "burkinabè burkinabé", "Burkinabe"),
    "BG": ("", "bulgare", "Bulgarian"),
    "BJ": ("", "béninois", "Beninese"),
    "CD": ("RDC|RD Congo|Congo-Kinshasa|DRC|Democratic Republic of the Congo", "", ""),
    "CF": ("Centrafrique", "centrafricain", "Central African"),
    "CG": ("Congo-Brazzaville|Republic of the Congo", "", ""),
    "CH": ("", "suisse", "Swiss"),
    "CI": ("Ivory Coast", "ivoirien", "Ivorian"),
    "CM": ("", "camerounais", "Cameroonian"),
    "CV": ("Cap Vert|Cape Verde", "cap-verdien capverdien", "Cape Verdean"),
    "CY": ("", "chypriote", "Cypriot"),
    "CZ": ("République tchèque|Czech Republic", "tchèque", "Czech"),
    "DE": ("", "allemand", "German"),
    "DK": ("", "danois", "Danish"),
    "DZ": ("", "algérien", "Algerian"),
    "EE": ("", "estonien", "Estonian"),
    "ES": ("", "espagnol", "Spanish"),
    "FI": ("", "finlandais", "Finnish"),
    "FR": ("", "français", "French"),
    "GA": ("", "gabonais", "Gabonese"),
    "GB": ("Royaume Uni|UK|Great Britain", "britannique", "British"),
    "GH": ("", "ghanéen", "Ghanaian"),
    "GM": ("The Gambia", "gambien", "Gambian"),
    "GN": ("Guinée-Conakry|Guinée Conakry", "guinéen", "Guinean"),
    "GQ": ("Guinée équatoriale", "équato-guinéen", "Equatoguinean"),
    "GR": ("", "grec", "Greek"),
    "GW": ("Guinée Bissau", "bissau-guinéen", "Bissau-Guinean"),
    "HR": ("", "croate", "Croatian"),
    "HU": ("", "hongrois", "Hungarian"),
    "IE": ("", "irlandais", "Irish"),
    "IT": ("", "italien", "Italian"),
    "LB": ("", "libanais", "Lebanese"),
    "LR": ("Liberia", "libérien", "Liberian"),
    "LT": ("", "lituanien", "Lithuanian"),
    "LU": ("", "luxembourgeois", ""),
    "LV": ("", "letton", "Latvian"),
    "LY": ("", "libyen", "Libyan"),
    "MA": ("", "marocain", "Moroccan"),
    "ML": ("", "malien", "Malian"),
    "MR": ("", "mauritanien", "Mauritanian"),
    "MT": ("", "maltais", "Maltese"),
    "NE": ("", "nigérien", "Nigerien"),
    "NG": ("Nigéria", "nigérian", "Nigerian"),
    "NL": ("Pays Bas|Hollande|Holland", "néerlandais", "Dutch"),
    "NO": ("", "norvégien", "Norwegian"),
    "PL": ("", "polonais", "Polish"),
    "PT": ("", "portugais", "Portuguese"),
    "RO": ("", "roumain", "Romanian"),
    "SE": ("", "suédois", "Swedish"),
    "SI": ("", "slovène", "Slovenian"),
    "SK": ("", "slovaque", "Slovak"),
    "SL": ("", "sierra-léonais sierraléonais", "Sierra Leonean"),
    "SN": ("", "sénégalais", "Senegalese"),
    "TD": ("", "tchadien", "Chadian"),
    "TG": ("", "togolais", "Togolese"),
    "TN": ("", "tunisien", "Tunisian"),
}


def inflect(word):
    """The four forms of a French demonym given in the masculine singular."""
    if word.endswith("en"):
        return [word, word + "s", word + "ne", word + "nes"]
    if word.endswith("e") and not word.endswith("é"):
        return [word, word + "s"]
    if word.endswith(("s", "x")):
        return [word, word + "e", word + "es"]
    if word.endswith(("on", "el")):
        return [word, word + "s", word + word[-1] + "e", word + word[-1] + "es"]
    return [word, word + "s", word + "e", word + "es"]


def forms(code):
    """(names, demonyms) of a country beyond the country table's names."""
    names, french, english = FORMS.get(code, ("", "", ""))
    demonyms = [form for word in french.split() for form in inflect(word)] + [english] * bool(english)
    return [name for name in names.split("|") if name], demonyms
