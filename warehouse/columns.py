"""Every export file and column, defined once in Danish and English; the export folder's README is made from here."""

from __future__ import annotations

from string import Template
from textwrap import dedent

# (column, Danish definition, English definition); the order is the column order of the file.
TOPICS = [
    ("topic_id", "Emnets nummer. Det samme emne beholder sit nummer fra kørsel til kørsel; 0 er \"Andet\" "
                 "(idéer der ikke passer i noget emne).",
     "The topic's number. A topic keeps its number from run to run; 0 is \"Andet\" (ideas that fit no topic)."),
    ("label", "Emnets navn, dannet af de mest kendetegnende ord (kan være rettet af en planlægger).",
     "The topic's name, made from its most characteristic words (a planner may have renamed it)."),
    ("keywords", "De ord der bedst kendetegner emnet, adskilt af \"; \".",
     "The words that best characterise the topic, separated by \"; \"."),
    ("n_ideas", "Antal idéer i emnet.", "Number of ideas in the topic."),
    ("n_authors", "Antal forskellige borgere bag idéerne i emnet; en idé uden kendt afsender (fx fra et borgermøde "
                  "uden navne) tæller som én borger.",
     "Number of distinct citizens behind the topic's ideas; an idea without a known author (e.g. meeting notes "
     "without names) counts as one citizen."),
    ("total_likes", "Summen af likes på emnets idéer (opbakning).", "Sum of the likes on the topic's ideas (support)."),
    ("status", "Ændring siden sidste kørsel: new (ny), growing (voksende), stable (stabil), shrinking (faldende).",
     "Change since the last run: new, growing, stable or shrinking."),
    ("is_corrected", "true hvis en planlægger har rettet emnet (omdøbt, slået sammen, flyttet idéer).",
     "true if a planner has corrected the topic (renamed, merged, moved ideas)."),
    ("n_ideas_previous", "Antal idéer i emnet ved sidste kørsel; tom hvis emnet er nyt.",
     "Number of ideas in the topic at the previous run; empty when the topic is new."),
    ("n_ideas_change", "n_ideas minus n_ideas_previous; tom hvis emnet er nyt.",
     "n_ideas minus n_ideas_previous; empty when the topic is new."),
    ("examples", "3–5 repræsentative idéer (redigeret for personoplysninger), adskilt af \" | \".",
     "3–5 representative ideas (personal data redacted), separated by \" | \"."),
]

IDEAS = [
    ("idea_id", "Idéens id: Facebook-kommentarens id, eller for en importeret kanal `kanal:id` (id'et fra den "
                "importerede fil, eller et fingeraftryk af rækken når filen ikke har et).",
     "The idea's id: the Facebook comment id, or for an imported channel `channel:id` (the id from the imported "
     "file, or a fingerprint of the row when the file has none)."),
    ("topic_id", "Nummeret på idéens emne (se topics.csv); 0 er \"Andet\"; tom hvis idéen er kommet til efter "
                 "sidste emneberegning.",
     "The number of the idea's topic (see topics.csv); 0 is \"Andet\"; empty if the idea arrived after the last "
     "topic run."),
    ("topic_label", "Navnet på idéens emne.", "The name of the idea's topic."),
    ("text", "Idéens tekst. Navne på taggede personer, e-mailadresser, telefonnumre og CPR-numre er erstattet af "
             "[navn], [email], [telefon] og [cpr].",
     "The idea's text. Names of tagged people, e-mail addresses, phone numbers and CPR numbers are replaced by "
     "[navn], [email], [telefon] and [cpr]."),
    ("like_count", "Antal likes (opbakning); 0 for importerede idéer.",
     "Number of likes (support); 0 for imported ideas."),
    ("reply_count", "Antal svar på kommentaren; 0 for importerede idéer.",
     "Number of replies to the comment; 0 for imported ideas."),
    ("created_at", "Hvornår idéen blev skrevet (ISO 8601, UTC); tom hvis en importeret række ikke havde en dato.",
     "When the idea was written (ISO 8601, UTC); empty if an imported row had no date."),
    ("channel", "Hvor idéen kom fra: facebook eller navnet på en importeret kanal.",
     "Where the idea came from: facebook or the name of an imported channel."),
    ("topic_rank", "Hvor typisk idéen er for sit emne: 1 er den mest typiske.",
     "How typical the idea is of its topic: 1 is the most typical."),
    ("places", "De steder idéen nævner (byer, landsbyer og idéindsamlingens egne steder), adskilt af \"; \"; "
     "tom hvis ingen.",
     "The places the idea names (towns, villages and the consultation's own places), separated by \"; \"; empty if "
     "none."),
]

FILES = [
    ("report.html", "rapporten: åbn den i en browser (virker uden internet)",
     "the report: open it in a browser (works offline)"),
    ("$slug.xlsx", "regneark med arkene Emner og Idéer", "workbook with the sheets Emner (topics) and Idéer (ideas)"),
    ("topics.csv, topics.parquet", "ét emne pr. række", "one topic per row"),
    ("ideas.csv, ideas.parquet", "én idé pr. række, sorteret efter emne og opbakning",
     "one idea per row, by topic then support"),
    ("polis/comments.csv", "idéerne i Pol.is' open data-format (til fx Talk to the City og Jigsaw Sensemaker)",
     "the ideas in the Pol.is open-data layout (for e.g. Talk to the City and Jigsaw Sensemaker)"),
    ("dialog.csv, dialog.xlsx", "spørgsmål og klager, besvaret eller ej, til dem der svarer på Facebook-siden og "
     "Instagram-kontoen (regnearket: arkene Overblik og Spørgsmål og klager)",
     "questions and complaints, answered or not, for the people who answer on the Facebook Page and the Instagram "
     "account (the workbook: "
     "sheets Overblik (summary) and Spørgsmål og klager (the list))"),
    ("topic_channels.csv", "idéer og borgere pr. emne og kanal (Facebook, hvert importeret borgermøde eller "
     "postkasse)", "ideas and citizens per topic and channel (Facebook, each imported meeting or mailbox)"),
    ("README.md", "denne fil", "this file"),
]

DIALOG = [
    ("comment_id", "Kommentarens id: id'et på Facebook, eller `instagram:id` for en Instagram-kommentar.",
     "The comment's id: its id on Facebook, or `instagram:id` for an Instagram comment."),
    ("kind", "question (spørgsmål) eller complaint (klage), som idé-genkendelsen har vurderet kommentaren.",
     "question or complaint, as idea detection judged the comment."),
    ("answered", "true hvis kommunen har svaret i tråden: Facebook-siden eller Instagram-kontoen selv, eller en "
                 "medarbejder der skriver som kommunen, i et svar på kommentaren eller senere i samme tråd.",
     "true if the municipality has answered in the thread: the Facebook Page or the Instagram account itself, or "
     "an employee writing for the municipality, in a reply to the comment or later in the same thread."),
    ("created_at", "Hvornår kommentaren blev skrevet (ISO 8601, UTC).",
     "When the comment was written (ISO 8601, UTC)."),
    ("first_staff_reply_at", "Hvornår kommunen svarede første gang (ISO 8601, UTC); tom hvis ikke besvaret.",
     "When the municipality first replied (ISO 8601, UTC); empty if not answered."),
    ("hours_to_first_reply", "Timer fra kommentaren til kommunens første svar; tom hvis ikke besvaret.",
     "Hours from the comment to the municipality's first reply; empty if not answered."),
    ("text", "Kommentarens tekst, redigeret for personoplysninger som i ideas.csv.",
     "The comment's text, personal data redacted as in ideas.csv."),
    ("like_count", "Antal likes.", "Number of likes."),
    ("permalink_url", "Link til kommentaren på Facebook: åbn den og svar dér. Tom for Instagram (Instagram giver "
                      "ikke kommentarer et link: find den under opslaget i appen).",
     "Link to the comment on Facebook: open it and answer there. Empty for Instagram (Instagram gives a comment no "
     "link: find it under the post in the app)."),
    ("channel", "Hvor kommentaren blev skrevet: facebook eller instagram.",
     "Where the comment was written: facebook or instagram."),
]

TOPIC_CHANNELS = [
    ("consultation", "Idéindsamlingens kortnavn (slug).", "The consultation's short name (slug)."),
    ("topic_id", "Emnets nummer (se topics.csv).", "The topic's number (see topics.csv)."),
    ("label", "Emnets navn.", "The topic's name."),
    ("channel", "Kanalen: facebook eller navnet på en importeret kanal (fx et borgermøde).",
     "The channel: facebook or the name of an imported channel (e.g. a citizens' meeting)."),
    ("n_ideas", "Antal af emnets idéer fra kanalen.", "Number of the topic's ideas from the channel."),
    ("n_authors", "Antal forskellige borgere bag dem (en idé uden kendt afsender tæller som én borger).",
     "Number of distinct citizens behind them (an idea without a known author counts as one citizen)."),
]

POLIS = [
    ("timestamp", "Hvornår idéen blev skrevet, i millisekunder siden 1970-01-01 UTC.",
     "When the idea was written, in milliseconds since 1970-01-01 UTC."),
    ("datetime", "Det samme tidspunkt som tekst, i UTC (som i Pol.is' eksport).",
     "The same moment as text, in UTC (as in Pol.is' export)."),
    ("comment-id", "Idéens nummer i filen, 0, 1, 2 … i den rækkefølge idéerne blev skrevet.",
     "The idea's number in the file, 0, 1, 2 … in the order the ideas were written."),
    ("author-id", "Et pseudonymt nummer for borgeren, 0, 1, 2 … i den rækkefølge borgerne optræder første gang. "
                  "Det gælder kun inden for denne fil.",
     "A pseudonymous number for the citizen, 0, 1, 2 … in order of first appearance. It holds only within this "
     "file."),
    ("agrees", "Antal likes.", "Number of likes."),
    ("disagrees", "Altid 0: Facebook har ingen uenig-knap.", "Always 0: Facebook has no disagree button."),
    ("moderated", "Altid 1 (godkendt): kun idéer kommer med; skjulte og slettede kommentarer er udeladt.",
     "Always 1 (accepted): only ideas are included; hidden and deleted comments are left out."),
    ("comment-body", "Idéens tekst, redigeret for personoplysninger som i ideas.csv.",
     "The idea's text, personal data redacted as in ideas.csv."),
]

_README = Template(dedent("""\
    # $title

    Eksport fra civic-ideas for idéindsamlingen `$slug`, genereret $generated.
    Export from civic-ideas for the consultation `$slug`, generated $generated.

    Ingen fil her indeholder navne, Facebook-bruger-id'er, e-mailadresser, telefonnumre eller CPR-numre.
    No file here contains a name, a Facebook user id, an e-mail address, a phone number or a CPR number.

    $files
    CSV-filerne er UTF-8, komma-separerede, RFC 4180 (CRLF, felter med komma, anførselstegn eller linjeskift står i
    anførselstegn). The CSV files are UTF-8, comma-separated, RFC 4180 (CRLF; fields with commas, quotes or line breaks
    are quoted). Parquet-filerne har de samme kolonner. The Parquet files have the same columns.

    En tekst i en CSV-fil der begynder med `=`, `+`, `-` eller `@` (også efter mellemrum), med tabulator eller
    vognretur, har fået et `'` foran, så regnearket viser den som tekst og aldrig udfører den som en formel; fjern
    det første `'` for at få den oprindelige tekst. Tal er uændrede, og Parquet-filerne og regnearket (.xlsx) har
    teksten som den er, altid som tekst. A text in a CSV file that starts with `=`, `+`, `-` or `@` (also after
    spaces), with a tab or a carriage return has been given a leading `'`, so a spreadsheet shows it as text and never
    runs it as a formula; remove the first `'` to get the original text. Numbers are unchanged, and the Parquet files
    and the workbook (.xlsx) hold the text as it is, always as text.

    ## topics.csv, topics.parquet

    $topics
    ## ideas.csv, ideas.parquet

    $ideas
    ## polis/comments.csv

    $polis
    ## topic_channels.csv

    Én række pr. emne og kanal med mindst én idé; et emne der kun har idéer fra én kanal, har kun én række.
    One row per topic and channel with at least one idea; a topic with ideas from one channel only has one row.

    $channels
    ## dialog.csv, dialog.xlsx: til dem der svarer på siden / for the people who answer on the Page

    Spørgsmål og klager fra Facebook og Instagram (ikke idéer, så de er ikke i emnerne), de ubesvarede først og de
    ældste først, med kanalen og et link til hver Facebook-kommentar, så redaktionen kan svare. Et svar tæller når
    Facebook-siden eller Instagram-kontoen selv, eller en medarbejder der skriver som kommunen, svarer på kommentaren
    eller senere i samme tråd. Skjulte og slettede kommentarer er ikke med. Questions and complaints from Facebook and
    Instagram (not ideas, so not in the topics), unanswered first and oldest first, with the channel and a link to
    each Facebook comment so the editors can answer it. A reply counts when the Facebook Page or the Instagram account
    itself, or an employee writing for the municipality, replies to the comment or later in the same thread. Hidden
    and deleted comments are left out.

    $dialog_summary
    $dialog"""))


def _table(rows: list[tuple[str, str, str]], first: str = "kolonne / column") -> str:
    lines = [f"| `{name}` | {da} | {en} |" for name, da, en in rows]
    return "\n".join([f"| {first} | dansk | English |", "|---|---|---|", *lines, ""])


def names(columns: list[tuple[str, str, str]]) -> list[str]:
    """The column names of one file, in file order."""
    return [name for name, _, _ in columns]


def export_readme(slug: str, title: str, generated: str, dialog_summary: str = "") -> str:
    """The export folder's README.md: what each file is and what every column means, in Danish and English;
    `dialog_summary` is the dialogue's counts (`warehouse.dialogue.summary_markdown`)."""
    files = [(name.replace("$slug", slug), da, en) for name, da, en in FILES]
    return _README.substitute(
        slug=slug, title=title, generated=generated, files=_table(files, "fil / file"),
        topics=_table(TOPICS), ideas=_table(IDEAS), polis=_table(POLIS), channels=_table(TOPIC_CHANNELS),
        dialog_summary=dialog_summary, dialog=_table(DIALOG),
    )
