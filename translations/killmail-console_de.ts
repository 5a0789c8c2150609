<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>BackfillCommand</name>
    <message>
        <source>Only queue the killmails, for a running --headless engine to process; do not process them here.</source>
        <translation>Killmails nur einreihen, damit eine laufende --headless-Engine sie verarbeitet; hier nicht verarbeiten.</translation>
    </message>
    <message>
        <source>killmails found</source>
        <translation>Killmails gefunden</translation>
    </message>
    <message>
        <source>%1: %2 killmails found, %3 queued; processing them
</source>
        <translation>%1: %2 Killmails gefunden, %3 eingereiht; werden verarbeitet
</translation>
    </message>
    <message>
        <source>killmails processed</source>
        <translation>Killmails verarbeitet</translation>
    </message>
    <message>
        <source>%1: %2 killmails found, %3 queued</source>
        <translation>%1: %2 Killmails gefunden, %3 eingereiht</translation>
    </message>
    <message>
        <source>, %1 processed, %2 failed</source>
        <translation>, %1 verarbeitet, %2 fehlgeschlagen</translation>
    </message>
    <message>
        <source>, %1 errors
</source>
        <translation>, %1 Fehler
</translation>
    </message>
    <message>
        <source>last error: %1
</source>
        <translation>letzter Fehler: %1
</translation>
    </message>
    <message>
        <source>%1: cancelled; run the same command again to resume
</source>
        <translation>%1: abgebrochen; derselbe Befehl setzt fort
</translation>
    </message>
    <message>
        <source>%1: did not finish; run the same command again to resume
</source>
        <translation>%1: nicht abgeschlossen; derselbe Befehl setzt fort
</translation>
    </message>
</context>
<context>
    <name>ConfigFile</name>
    <message>
        <source>config file %1 cannot be read</source>
        <translation>Konfigurationsdatei %1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>config file %1 is not a valid INI file</source>
        <translation>Konfigurationsdatei %1 ist keine gültige INI-Datei</translation>
    </message>
    <message>
        <source>config file %1: unknown setting &apos;%2&apos; (section/name)</source>
        <translation>Konfigurationsdatei %1: unbekannte Einstellung &apos;%2&apos; (Abschnitt/Name)</translation>
    </message>
    <message>
        <source>unknown setting &apos;%1&apos; (section/name)</source>
        <translation>unbekannte Einstellung &apos;%1&apos; (Abschnitt/Name)</translation>
    </message>
    <message>
        <source>config file %1 cannot be read: %2</source>
        <translation>Konfigurationsdatei %1 kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>config file %1 cannot be written: %2</source>
        <translation>Konfigurationsdatei %1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>Database</name>
    <message>
        <source>cannot connect to %1: the server at %2:%3 did not answer within %4 s (the URL&apos;s ?connect_timeout=N sets how long)</source>
        <translation>Verbindung zu %1 nicht möglich: Der Server unter %2:%3 hat nicht innerhalb von %4 s geantwortet (?connect_timeout=N in der URL legt die Wartezeit fest)</translation>
    </message>
</context>
<context>
    <name>DatabaseUrl</name>
    <message>
        <source>database URL &apos;%1&apos;: connect_timeout &apos;%2&apos; is not a whole number of seconds (0 waits forever)</source>
        <translation>Datenbank-URL &apos;%1&apos;: connect_timeout &apos;%2&apos; ist keine ganze Zahl von Sekunden (0 wartet unbegrenzt)</translation>
    </message>
    <message>
        <source>database URL &apos;%1&apos;: option &apos;%2&apos; must be a libpq keyword (a-z, _) with a value free of spaces, quotes, backslashes and &apos;;&apos;</source>
        <translation>Datenbank-URL &apos;%1&apos;: die Option &apos;%2&apos; muss ein libpq-Schlüsselwort sein (a-z, _), ihr Wert darf keine Leerzeichen, Anführungszeichen, Backslashes und kein &apos;;&apos; enthalten</translation>
    </message>
</context>
<context>
    <name>EngineOptions</name>
    <message>
        <source>; default: </source>
        <translation>; Vorgabe: </translation>
    </message>
    <message>
        <source>Config file (KILLMAIL_CONFIG; default: %1 when it exists).</source>
        <translation>Konfigurationsdatei (KILLMAIL_CONFIG; Vorgabe: %1, falls vorhanden).</translation>
    </message>
</context>
<context>
    <name>SdeRefreshCommand</name>
    <message>
        <source>Downloading the SDE build that %1/latest.jsonl names (a large download) and converting it...
</source>
        <translation>Lade den SDE-Build, den %1/latest.jsonl nennt (ein großer Download), und wandle ihn um...
</translation>
    </message>
    <message>
        <source>the static data in use is unchanged</source>
        <translation>die verwendeten statischen Daten bleiben unverändert</translation>
    </message>
    <message>
        <source>SDE build %1 written to %2
types: %3, groups: %4, blueprint materials: %5, solar systems: %6
It is used from the next start; run prices:revalue to bring the stored killmails&apos; values up to date.
</source>
        <translation>SDE-Build %1 nach %2 geschrieben
Typen: %3, Gruppen: %4, Blaupausen-Materialien: %5, Sonnensysteme: %6
Er wird ab dem nächsten Start verwendet; prices:revalue bringt die Werte der gespeicherten Killmails auf den neuesten Stand.
</translation>
    </message>
    <message>
        <source>Refresh types, groups, blueprints and systems from CCP&apos;s current SDE</source>
        <translation>Typen, Gruppen, Blaupausen und Systeme aus CCPs aktuellem SDE erneuern</translation>
    </message>
</context>
<context>
    <name>SettingsTable</name>
    <message>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>Database: sqlite:///path/file.db or postgresql://user:pass@host:port/db</source>
        <translation>Datenbank: sqlite:///pfad/datei.db oder postgresql://benutzer:passwort@host:port/db</translation>
    </message>
    <message>
        <source>ESI URL</source>
        <translation>ESI-URL</translation>
    </message>
    <message>
        <source>ESI base URL</source>
        <translation>Basis-URL von ESI</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Kontakt</translation>
    </message>
    <message>
        <source>Your contact (mail or in-game name), sent in the User-Agent to ESI, zKillboard, EVE-KILL and EVE Ref as they ask</source>
        <translation>Ihr Kontakt (E-Mail oder Name im Spiel), im User-Agent an ESI, zKillboard, EVE-KILL und EVE Ref gesendet, wie sie es verlangen</translation>
    </message>
    <message>
        <source>Concurrent jobs</source>
        <translation>Gleichzeitige Jobs</translation>
    </message>
    <message>
        <source>Killmail jobs processed at once</source>
        <translation>Gleichzeitig verarbeitete Killmail-Jobs</translation>
    </message>
    <message>
        <source>Job lease (seconds)</source>
        <translation>Job-Reservierung (Sekunden)</translation>
    </message>
    <message>
        <source>Seconds a worker holds a job before others may take it back, should the worker die</source>
        <translation>Sekunden, die ein Worker einen Job hält, bevor andere ihn zurücknehmen dürfen, falls der Worker ausfällt</translation>
    </message>
    <message>
        <source>Keep completed jobs (hours)</source>
        <translation>Erledigte Jobs aufbewahren (Stunden)</translation>
    </message>
    <message>
        <source>Hours completed jobs are kept; 0 deletes them at once (failed jobs are kept 14 days)</source>
        <translation>Stunden, die erledigte Jobs aufbewahrt werden; 0 löscht sie sofort (fehlgeschlagene Jobs bleiben 14 Tage)</translation>
    </message>
    <message>
        <source>Fetch character, corporation and alliance details</source>
        <translation>Details zu Charakteren, Corporations und Allianzen abrufen</translation>
    </message>
    <message>
        <source>Do not fetch character, corporation and alliance details from ESI</source>
        <translation>Keine Details zu Charakteren, Corporations und Allianzen von ESI abrufen</translation>
    </message>
    <message>
        <source>Live feeds</source>
        <translation>Live-Feeds</translation>
    </message>
    <message>
        <source>Live feeds --headless runs, comma-separated: r2z2, redisq, ekws, or none</source>
        <translation>Live-Feeds, die --headless abonniert, durch Kommas getrennt: r2z2, redisq, ekws oder none</translation>
    </message>
    <message>
        <source>R2Z2 URL</source>
        <translation>R2Z2-URL</translation>
    </message>
    <message>
        <source>zKillboard&apos;s R2Z2 feed</source>
        <translation>R2Z2-Feed von zKillboard</translation>
    </message>
    <message>
        <source>RedisQ URL</source>
        <translation>RedisQ-URL</translation>
    </message>
    <message>
        <source>A RedisQ-compatible feed</source>
        <translation>Ein RedisQ-kompatibler Feed</translation>
    </message>
    <message>
        <source>RedisQ queue ID</source>
        <translation>RedisQ-Queue-ID</translation>
    </message>
    <message>
        <source>Your RedisQ queueID (the feed remembers what it sent each queue)</source>
        <translation>Ihre RedisQ-queueID (der Feed merkt sich, was er jeder Queue geschickt hat)</translation>
    </message>
    <message>
        <source>EVE-KILL WebSocket URL</source>
        <translation>EVE-KILL-WebSocket-URL</translation>
    </message>
    <message>
        <source>EVE-KILL&apos;s killmail WebSocket</source>
        <translation>Killmail-WebSocket von EVE-KILL</translation>
    </message>
    <message>
        <source>EVE-KILL topics</source>
        <translation>EVE-KILL-Themen</translation>
    </message>
    <message>
        <source>EVE-KILL topics, comma-separated (character:ID, corporation:ID, alliance:ID, system:ID, region:ID); none: every killmail</source>
        <translation>EVE-KILL-Themen, durch Kommas getrennt (character:ID, corporation:ID, alliance:ID, system:ID, region:ID); none: alle Killmails</translation>
    </message>
    <message>
        <source>zKillboard history URL</source>
        <translation>URL der zKillboard-Historie</translation>
    </message>
    <message>
        <source>Where zKillboard&apos;s history files are: URL/history/totals.json, ... (R2Z2 repairs its gaps from its own URL&apos;s /history/)</source>
        <translation>Wo die Historiendateien von zKillboard liegen: URL/history/totals.json, ... (R2Z2 füllt seine Lücken aus /history/ seiner eigenen URL)</translation>
    </message>
    <message>
        <source>EVE-KILL URL</source>
        <translation>EVE-KILL-URL</translation>
    </message>
    <message>
        <source>EVE-KILL&apos;s API (export)</source>
        <translation>API von EVE-KILL (Export)</translation>
    </message>
    <message>
        <source>EVE Ref URL</source>
        <translation>EVE-Ref-URL</translation>
    </message>
    <message>
        <source>EVE Ref&apos;s data site (killmail archives, market history)</source>
        <translation>Datenseite von EVE Ref (Killmail-Archive, Markthistorie)</translation>
    </message>
    <message>
        <source>Metrics address</source>
        <translation>Metrik-Adresse</translation>
    </message>
    <message>
        <source>Address /metrics and /healthz listen on</source>
        <translation>Adresse, auf der /metrics und /healthz lauschen</translation>
    </message>
    <message>
        <source>Metrics port</source>
        <translation>Metrik-Port</translation>
    </message>
    <message>
        <source>Port of /metrics and /healthz; 0 switches them off</source>
        <translation>Port von /metrics und /healthz; 0 schaltet sie ab</translation>
    </message>
    <message>
        <source>Failure alert (percent)</source>
        <translation>Fehleralarm (Prozent)</translation>
    </message>
    <message>
        <source>Share of jobs failing for good (last 10 minutes) that raises the alert</source>
        <translation>Anteil endgültig fehlschlagender Jobs (letzte 10 Minuten), der den Alarm auslöst</translation>
    </message>
    <message>
        <source>Live feed address</source>
        <translation>Live-Feed-Adresse</translation>
    </message>
    <message>
        <source>Address the live feed (WebSocket, /events, /overlay) listens on; off loopback it needs a token</source>
        <translation>Adresse, auf der der Live-Feed (WebSocket, /events, /overlay) lauscht; außerhalb von Loopback braucht er ein Token</translation>
    </message>
    <message>
        <source>Live feed port</source>
        <translation>Live-Feed-Port</translation>
    </message>
    <message>
        <source>Port of the live feed; 0 switches it off</source>
        <translation>Port des Live-Feeds; 0 schaltet ihn ab</translation>
    </message>
    <message>
        <source>Live feed token</source>
        <translation>Live-Feed-Token</translation>
    </message>
    <message>
        <source>Access token the live feed&apos;s clients give (?token= or Authorization: Bearer); required when it listens off loopback</source>
        <translation>Zugriffstoken, das die Clients des Live-Feeds angeben (?token= oder Authorization: Bearer); Pflicht, wenn er außerhalb von Loopback lauscht</translation>
    </message>
    <message>
        <source>Refresh prices and unknown types daily</source>
        <translation>Preise und unbekannte Typen täglich aktualisieren</translation>
    </message>
    <message>
        <source>Do not refresh prices and unknown types daily</source>
        <translation>Preise und unbekannte Typen nicht täglich aktualisieren</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <source>Folder of refreshed static data (sde/, from sde:refresh) and of hand_set_prices.csv, which replaces bundled hand-set prices</source>
        <translation>Ordner der aktualisierten statischen Daten (sde/, aus sde:refresh) und von hand_set_prices.csv, die die mitgelieferten Handpreise ersetzt</translation>
    </message>
    <message>
        <source>SDE URL</source>
        <translation>SDE-URL</translation>
    </message>
    <message>
        <source>CCP&apos;s static data export (sde:refresh reads URL/latest.jsonl, then the build&apos;s JSON Lines zip)</source>
        <translation>Statischer Datenexport von CCP (sde:refresh liest URL/latest.jsonl, dann das JSON-Lines-ZIP des Builds)</translation>
    </message>
    <message>
        <source>HTTP pause (seconds)</source>
        <translation>HTTP-Pause (Sekunden)</translation>
    </message>
    <message>
        <source>Seconds without an answer, or without progress of one, after which a request to zKillboard, EVE-KILL or EVE Ref is given up</source>
        <translation>Sekunden ohne Antwort oder ohne Fortschritt einer Antwort, nach denen eine Anfrage an zKillboard, EVE-KILL oder EVE Ref aufgegeben wird</translation>
    </message>
    <message>
        <source>HTTP redirects</source>
        <translation>HTTP-Weiterleitungen</translation>
    </message>
    <message>
        <source>Redirects one request follows before it fails</source>
        <translation>Weiterleitungen, denen eine Anfrage folgt, bevor sie fehlschlägt</translation>
    </message>
    <message>
        <source>Largest answer (MiB)</source>
        <translation>Größte Antwort (MiB)</translation>
    </message>
    <message>
        <source>The most one answer (a feed record or poll, a page, an index) may bring</source>
        <translation>Höchstens so viel darf eine Antwort (ein Feed-Eintrag oder eine Abfrage, eine Seite, ein Index) liefern</translation>
    </message>
    <message>
        <source>Longest answer (seconds)</source>
        <translation>Längste Antwort (Sekunden)</translation>
    </message>
    <message>
        <source>The most one answer may take, from asking to its last byte</source>
        <translation>Höchstens so lange darf eine Antwort dauern, von der Anfrage bis zum letzten Byte</translation>
    </message>
    <message>
        <source>Largest history day (MiB)</source>
        <translation>Größter Verlaufstag (MiB)</translation>
    </message>
    <message>
        <source>The most one zKillboard history day may bring</source>
        <translation>Höchstens so viel darf ein Verlaufstag von zKillboard liefern</translation>
    </message>
    <message>
        <source>Longest history day (seconds)</source>
        <translation>Längster Verlaufstag (Sekunden)</translation>
    </message>
    <message>
        <source>The most one zKillboard history day may take</source>
        <translation>Höchstens so lange darf ein Verlaufstag von zKillboard dauern</translation>
    </message>
    <message>
        <source>Largest download (MiB)</source>
        <translation>Größter Download (MiB)</translation>
    </message>
    <message>
        <source>The most one file downloaded to disk (an EVE Ref archive, the static data export) may bring</source>
        <translation>Höchstens so viel darf eine auf die Platte geladene Datei (ein EVE-Ref-Archiv, der Export der statischen Daten) liefern</translation>
    </message>
    <message>
        <source>Longest download (seconds)</source>
        <translation>Längster Download (Sekunden)</translation>
    </message>
    <message>
        <source>The most one file downloaded to disk may take</source>
        <translation>Höchstens so lange darf eine auf die Platte geladene Datei dauern</translation>
    </message>
</context>
<context>
    <name>km::FeedClient</name>
    <message>
        <source>Invalid topics: %1</source>
        <translation>Ungültige Themen: %1</translation>
    </message>
    <message>
        <source>Too many topics: at most %1 per client, this would make %2</source>
        <translation>Zu viele Themen: höchstens %1 pro Client, dies ergäbe %2</translation>
    </message>
</context>
<context>
    <name>km::FeedServer</name>
    <message>
        <source>the live feed would listen on %1, off loopback, without an access token: set --feed-token</source>
        <translation>der Live-Feed würde ohne Zugriffstoken auf %1 außerhalb von Loopback lauschen: --feed-token setzen</translation>
    </message>
    <message>
        <source>the live feed cannot listen on %1:%2: %3</source>
        <translation>der Live-Feed kann nicht auf %1:%2 lauschen: %3</translation>
    </message>
</context>
<context>
    <name>km::ImportRun</name>
    <message>
        <source>%1 stored, %2 duplicates, %3 rejected</source>
        <translation>%1 gespeichert, %2 Duplikate, %3 abgelehnt</translation>
    </message>
    <message>
        <source>, %1 queued for ESI</source>
        <translation>, %1 für ESI eingereiht</translation>
    </message>
    <message>
        <source>; stopped by a database error: %1</source>
        <translation>; durch einen Datenbankfehler gestoppt: %1</translation>
    </message>
    <message>
        <source>; first refused: %1: %2</source>
        <translation>; zuerst abgelehnt: %1: %2</translation>
    </message>
    <message>
        <source>%1 of %2 files, %3 rows imported, %4 unchanged, %5 bad rows</source>
        <translation>%1 von %2 Dateien, %3 Zeilen importiert, %4 unverändert, %5 fehlerhafte Zeilen</translation>
    </message>
    <message>
        <source>; failed: %1</source>
        <translation>; fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>stopped by a database error: %1</source>
        <translation>durch einen Datenbankfehler gestoppt: %1</translation>
    </message>
</context>
<context>
    <name>km::ProgressSnapshot</name>
    <message>
        <source>ETA %1</source>
        <translation>Restzeit %1</translation>
    </message>
</context>
<context>
    <name>km::SseFeedClient</name>
    <message>
        <source>No topics given: /events?topics=all (or highsec, 5b, region:10000002, ...)</source>
        <translation>Keine Themen angegeben: /events?topics=all (oder highsec, 5b, region:10000002, ...)</translation>
    </message>
</context>
<context>
    <name>km::WebSocketFeedClient</name>
    <message>
        <source>the server is going away</source>
        <translation>der Server wird beendet</translation>
    </message>
    <message>
        <source>client is too slow</source>
        <translation>der Client ist zu langsam</translation>
    </message>
    <message>
        <source>no pong for too long</source>
        <translation>zu lange kein Pong</translation>
    </message>
    <message>
        <source>Malformed JSON message</source>
        <translation>Fehlerhafte JSON-Nachricht</translation>
    </message>
    <message>
        <source>Unknown message type &apos;%1&apos; (subscribe, unsubscribe, ping)</source>
        <translation>Unbekannter Nachrichtentyp &apos;%1&apos; (subscribe, unsubscribe, ping)</translation>
    </message>
    <message>
        <source>No topics given</source>
        <translation>Keine Themen angegeben</translation>
    </message>
</context>
<context>
    <name>km::cli::AddCommand</name>
    <message>
        <source>Queue a killmail (ID and hash) or an entity update (ID)</source>
        <translation>Eine Killmail (ID und Hash) oder eine Entitätsaktualisierung (ID) einreihen</translation>
    </message>
    <message>
        <source>The killmail&apos;s or the entity&apos;s ID.</source>
        <translation>Die ID der Killmail oder der Entität.</translation>
    </message>
    <message>
        <source>The killmail&apos;s hash (killmail only).</source>
        <translation>Der Hash der Killmail (nur bei Killmails).</translation>
    </message>
    <message>
        <source>high, normal or low (default: high for a killmail, low for an entity update).</source>
        <translation>high, normal oder low (Vorgabe: high für eine Killmail, low für eine Entitätsaktualisierung).</translation>
    </message>
    <message>
        <source>usage: queue:add killmail ID HASH</source>
        <translation>Aufruf: queue:add killmail ID HASH</translation>
    </message>
    <message>
        <source>usage: queue:add %1 ID (an ID only)</source>
        <translation>Aufruf: queue:add %1 ID (nur eine ID)</translation>
    </message>
    <message>
        <source>the ID must be a positive whole number, not &apos;%1&apos;</source>
        <translation>die ID muss eine positive ganze Zahl sein, nicht &apos;%1&apos;</translation>
    </message>
    <message>
        <source>--priority takes high, normal or low, not &apos;%1&apos;</source>
        <translation>--priority erwartet high, normal oder low, nicht &apos;%1&apos;</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a killmail hash (40 hexadecimal digits)</source>
        <translation>&apos;%1&apos; ist kein Killmail-Hash (40 Hexadezimalziffern)</translation>
    </message>
    <message>
        <source>is already stored</source>
        <translation>ist bereits gespeichert</translation>
    </message>
    <message>
        <source>is already queued</source>
        <translation>ist bereits eingereiht</translation>
    </message>
    <message>
        <source>added to queue %1 (%2 priority)</source>
        <translation>in Warteschlange %1 eingereiht (Priorität %2)</translation>
    </message>
</context>
<context>
    <name>km::cli::CheckDataCommand</name>
    <message>
        <source>Recompute flags and values only for killmails from this day on.</source>
        <translation>Flags und Werte nur für Killmails ab diesem Tag neu berechnen.</translation>
    </message>
    <message>
        <source>Skip recomputing flags and values (structural checks only).</source>
        <translation>Flags und Werte nicht neu berechnen (nur strukturelle Prüfungen).</translation>
    </message>
    <message>
        <source>recomputing</source>
        <translation>Neuberechnung</translation>
    </message>
    <message>
        <source>killmails</source>
        <translation>Killmails</translation>
    </message>
    <message>
        <source>no problems found</source>
        <translation>keine Probleme gefunden</translation>
    </message>
    <message>
        <source>hint: %1</source>
        <translation>Hinweis: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n kinds of problem found</source>
        <translation>
            <numerusform>%n Art von Problem gefunden</numerusform>
            <numerusform>%n Arten von Problemen gefunden</numerusform>
        </translation>
    </message>
    <message>
        <source>Check stored data for integrity problems</source>
        <translation>Gespeicherte Daten auf Integritätsprobleme prüfen</translation>
    </message>
    <message>
        <source>PROBLEM %1: %2</source>
        <translation>PROBLEM %1: %2</translation>
    </message>
</context>
<context>
    <name>km::cli::ClearCommand</name>
    <message>
        <source>Delete a queue&apos;s failed or completed jobs</source>
        <translation>Fehlgeschlagene oder erledigte Jobs einer Warteschlange löschen</translation>
    </message>
    <message>
        <source>Delete the failed jobs.</source>
        <translation>Die fehlgeschlagenen Jobs löschen.</translation>
    </message>
    <message>
        <source>Delete the completed jobs.</source>
        <translation>Die erledigten Jobs löschen.</translation>
    </message>
    <message>
        <source>%1: failed jobs deleted: %2</source>
        <translation>%1: gelöschte fehlgeschlagene Jobs: %2</translation>
    </message>
    <message>
        <source>%1: completed jobs deleted: %2</source>
        <translation>%1: gelöschte erledigte Jobs: %2</translation>
    </message>
    <message>
        <source>say which jobs to delete: --failed, --completed or both</source>
        <translation>angeben, welche Jobs gelöscht werden: --failed, --completed oder beide</translation>
    </message>
</context>
<context>
    <name>km::cli::Command</name>
    <message>
        <source>--%1 takes a date as YYYY-MM-DD, not &apos;%2&apos;</source>
        <translation>--%1 erwartet ein Datum als JJJJ-MM-TT (YYYY-MM-DD), nicht &apos;%2&apos;</translation>
    </message>
    <message>
        <source>unknown command &apos;%1&apos; (see --help)</source>
        <translation>unbekannter Befehl &apos;%1&apos; (siehe --help)</translation>
    </message>
</context>
<context>
    <name>km::cli::Headless</name>
    <message>
        <source>cannot run: %1</source>
        <translation>Ausführung nicht möglich: %1</translation>
    </message>
    <message>
        <source>cannot start: %1</source>
        <translation>Start nicht möglich: %1</translation>
    </message>
</context>
<context>
    <name>km::cli::ListCommand</name>
    <message>
        <source>List a queue&apos;s failed jobs</source>
        <translation>Fehlgeschlagene Jobs einer Warteschlange auflisten</translation>
    </message>
    <message>
        <source>List the failed jobs (required), most recent first.</source>
        <translation>Die fehlgeschlagenen Jobs auflisten (Pflicht), neueste zuerst.</translation>
    </message>
    <message>
        <source>Show at most N jobs (default %1).</source>
        <translation>Höchstens N Jobs anzeigen (Vorgabe %1).</translation>
    </message>
    <message>
        <source>only failed jobs are listed</source>
        <translation>nur fehlgeschlagene Jobs werden aufgelistet</translation>
    </message>
    <message>
        <source>--limit takes a positive number, not &apos;%1&apos;</source>
        <translation>--limit erwartet eine positive Zahl, nicht &apos;%1&apos;</translation>
    </message>
    <message>
        <source>id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>failed at</source>
        <translation>fehlgeschlagen um</translation>
    </message>
    <message>
        <source>last error</source>
        <translation>letzter Fehler</translation>
    </message>
    <message>
        <source>%1: failed jobs shown: %2 of %3, most recent first</source>
        <translation>%1: angezeigte fehlgeschlagene Jobs: %2 von %3, neueste zuerst</translation>
    </message>
</context>
<context>
    <name>km::cli::PartitionsCommand</name>
    <message>
        <source>Create partitions for this month and the next N months first.</source>
        <translation>Zuerst Partitionen für diesen und die nächsten N Monate anlegen.</translation>
    </message>
    <message>
        <source>SQLite databases are not partitioned: every killmail is in one table.</source>
        <translation>SQLite-Datenbanken sind nicht partitioniert: Alle Killmails liegen in einer Tabelle.</translation>
    </message>
    <message>
        <source>--create-ahead takes a number of months from 0 to 120</source>
        <translation>--create-ahead erwartet eine Anzahl Monate von 0 bis 120</translation>
    </message>
    <message>
        <source>month</source>
        <translation>Monat</translation>
    </message>
    <message>
        <source>partition</source>
        <translation>Partition</translation>
    </message>
    <message>
        <source>rows</source>
        <translation>Zeilen</translation>
    </message>
    <message numerus="yes">
        <source>%n partitions</source>
        <translation>
            <numerusform>%n Partition</numerusform>
            <numerusform>%n Partitionen</numerusform>
        </translation>
    </message>
    <message>
        <source>List monthly partitions and their row counts</source>
        <translation>Monatliche Partitionen und ihre Zeilenzahlen auflisten</translation>
    </message>
</context>
<context>
    <name>km::cli::QueueCommand</name>
    <message>
        <source>The queue: %1.</source>
        <translation>Die Warteschlange: %1.</translation>
    </message>
    <message>
        <source>The queue: %1 (default: every queue).</source>
        <translation>Die Warteschlange: %1 (Vorgabe: alle Warteschlangen).</translation>
    </message>
    <message>
        <source>name a queue: %1</source>
        <translation>eine Warteschlange angeben: %1</translation>
    </message>
    <message>
        <source>too many arguments: %1 (see --help)</source>
        <translation>zu viele Argumente: %1 (siehe --help)</translation>
    </message>
    <message>
        <source>unknown queue &apos;%1&apos; (known queues: %2)</source>
        <translation>unbekannte Warteschlange &apos;%1&apos; (bekannte Warteschlangen: %2)</translation>
    </message>
    <message>
        <source>Print JSON instead of a table.</source>
        <translation>JSON statt einer Tabelle ausgeben.</translation>
    </message>
    <message>
        <source>needs --failed: %1</source>
        <translation>braucht --failed: %1</translation>
    </message>
    <message>
        <source>queue</source>
        <translation>Queue</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wartend</translation>
    </message>
    <message>
        <source>delayed</source>
        <translation>verzögert</translation>
    </message>
    <message>
        <source>active</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>erledigt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlerhaft</translation>
    </message>
    <message>
        <source>oldest waiting</source>
        <translation>am längsten wartend</translation>
    </message>
</context>
<context>
    <name>km::cli::RetryCommand</name>
    <message>
        <source>Put a queue&apos;s failed jobs back to wait</source>
        <translation>Fehlgeschlagene Jobs einer Warteschlange wieder einreihen</translation>
    </message>
    <message>
        <source>Retry the failed jobs (required), with fresh attempts.</source>
        <translation>Die fehlgeschlagenen Jobs wiederholen (Pflicht), mit neuen Versuchen.</translation>
    </message>
    <message>
        <source>only failed jobs are retried</source>
        <translation>nur fehlgeschlagene Jobs werden wiederholt</translation>
    </message>
    <message>
        <source>%1: failed jobs put back to wait: %2</source>
        <translation>%1: wieder eingereihte fehlgeschlagene Jobs: %2</translation>
    </message>
</context>
<context>
    <name>km::cli::StatsCommand</name>
    <message>
        <source>Count each queue&apos;s jobs by state</source>
        <translation>Jobs jeder Warteschlange nach Zustand zählen</translation>
    </message>
</context>
<context>
    <name>km::cli::StatusCommand</name>
    <message>
        <source>not reporting (last report %1 ago)</source>
        <translation>meldet sich nicht (letzte Meldung vor %1)</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>bis %1</translation>
    </message>
    <message>
        <source>Print JSON instead of text.</source>
        <translation>JSON statt Text ausgeben.</translation>
    </message>
    <message>
        <source>engine: running, %1</source>
        <translation>Engine: läuft, %1</translation>
    </message>
    <message>
        <source>engine: not running (last report %1)</source>
        <translation>Engine: läuft nicht (letzte Meldung %1)</translation>
    </message>
    <message>
        <source>engine: not running</source>
        <translation>Engine: läuft nicht</translation>
    </message>
    <message>
        <source>ALERT: %1</source>
        <translation>ALARM: %1</translation>
    </message>
    <message>
        <source>received %1, new %2, errors %3, last killmail %4 at %5</source>
        <translation>empfangen %1, neu %2, Fehler %3, letzte Killmail %4 um %5</translation>
    </message>
    <message>
        <source>progress %1 of %2</source>
        <translation>Fortschritt %1 von %2</translation>
    </message>
    <message>
        <source>last error at %1: %2</source>
        <translation>letzter Fehler um %1: %2</translation>
    </message>
    <message>
        <source>no source has reported yet</source>
        <translation>noch keine Quelle hat sich gemeldet</translation>
    </message>
    <message>
        <source>Show the sources, the ingestion rate, alerts and the queues&apos; backlog</source>
        <translation>Quellen, Aufnahmerate, Alarme und Rückstand der Warteschlangen anzeigen</translation>
    </message>
</context>
<context>
    <name>km::ui::AttackerModel</name>
    <message>
        <source>%1%</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>final blow</source>
        <translation>Final Blow</translation>
    </message>
    <message>
        <source>Attacker</source>
        <translation>Angreifer</translation>
    </message>
    <message>
        <source>Corporation</source>
        <translation>Corporation</translation>
    </message>
    <message>
        <source>Ship</source>
        <translation>Schiff</translation>
    </message>
    <message>
        <source>Weapon</source>
        <translation>Waffe</translation>
    </message>
    <message>
        <source>Damage</source>
        <translation>Schaden</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Anteil</translation>
    </message>
    <message>
        <source>Final blow</source>
        <translation>Final Blow</translation>
    </message>
</context>
<context>
    <name>km::ui::BackfillDialog</name>
    <message>
        <source>%1 to %2</source>
        <translation>%1 bis %2</translation>
    </message>
    <message>
        <source>New backfill</source>
        <translation>Neuer Backfill</translation>
    </message>
    <message>
        <source>zKillboard history</source>
        <translation>zKillboard-Historie</translation>
    </message>
    <message>
        <source>EVE-KILL (by character, corporation or alliance)</source>
        <translation>EVE-KILL (nach Charakter, Corporation oder Allianz)</translation>
    </message>
    <message>
        <source>EVE Ref daily archives</source>
        <translation>Tägliche Archive von EVE Ref</translation>
    </message>
    <message>
        <source>IDs, separated by spaces or commas</source>
        <translation>IDs, durch Leerzeichen oder Kommas getrennt</translation>
    </message>
    <message>
        <source>&amp;Source:</source>
        <translation>&amp;Quelle:</translation>
    </message>
    <message>
        <source>&amp;First day (UTC):</source>
        <translation>&amp;Erster Tag (UTC):</translation>
    </message>
    <message>
        <source>&amp;Last day (UTC):</source>
        <translation>&amp;Letzter Tag (UTC):</translation>
    </message>
    <message>
        <source>&amp;Characters:</source>
        <translation>&amp;Charaktere:</translation>
    </message>
    <message>
        <source>C&amp;orporations:</source>
        <translation>C&amp;orporations:</translation>
    </message>
    <message>
        <source>&amp;Alliances:</source>
        <translation>&amp;Allianzen:</translation>
    </message>
    <message>
        <source>%1: &apos;%2&apos; is not an ID (a positive number).</source>
        <translation>%1: &apos;%2&apos; ist keine ID (eine positive Zahl).</translation>
    </message>
    <message>
        <source>Characters</source>
        <translation>Charaktere</translation>
    </message>
    <message>
        <source>Corporations</source>
        <translation>Corporations</translation>
    </message>
    <message>
        <source>Alliances</source>
        <translation>Allianzen</translation>
    </message>
    <message>
        <source>characters</source>
        <translation>Charaktere</translation>
    </message>
    <message>
        <source>corporations</source>
        <translation>Corporations</translation>
    </message>
    <message>
        <source>alliances</source>
        <translation>Allianzen</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>The last day (%1) is before the first (%2).</source>
        <translation>Der letzte Tag (%1) liegt vor dem ersten (%2).</translation>
    </message>
    <message>
        <source>The last day (%1) is in the future.</source>
        <translation>Der letzte Tag (%1) liegt in der Zukunft.</translation>
    </message>
    <message>
        <source>Name at least one character, corporation or alliance: EVE-KILL&apos;s export has no date filter.</source>
        <translation>Mindestens einen Charakter, eine Corporation oder eine Allianz angeben: Der Export von EVE-KILL hat keinen Datumsfilter.</translation>
    </message>
</context>
<context>
    <name>km::ui::BackfillsView</name>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 und %n weitere</numerusform>
            <numerusform>%1 und %n weitere</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;New backfill…</source>
        <translation>&amp;Neuer Backfill…</translation>
    </message>
    <message>
        <source>Import &amp;killmails…</source>
        <translation>&amp;Killmails importieren…</translation>
    </message>
    <message>
        <source>Import &amp;prices…</source>
        <translation>&amp;Preise importieren…</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Abbrechen</translation>
    </message>
    <message>
        <source>&amp;Files or archives…</source>
        <translation>&amp;Dateien oder Archive…</translation>
    </message>
    <message>
        <source>F&amp;older…</source>
        <translation>&amp;Ordner…</translation>
    </message>
    <message>
        <source>Killmail import</source>
        <translation>Killmail-Import</translation>
    </message>
    <message>
        <source>Price import</source>
        <translation>Preisimport</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>Restzeit %1</translation>
    </message>
    <message>
        <source>%1 killmails found, %2 queued, %3 errors</source>
        <translation>%1 Killmails gefunden, %2 eingereiht, %3 Fehler</translation>
    </message>
    <message>
        <source>; last error: %1</source>
        <translation>; letzter Fehler: %1</translation>
    </message>
    <message>
        <source>; start it again to resume</source>
        <translation>; erneut starten setzt fort</translation>
    </message>
    <message>
        <source>Backfills and imports can start once the engine has reached the database.</source>
        <translation>Backfills und Importe sind möglich, sobald die Engine die Datenbank erreicht hat.</translation>
    </message>
    <message>
        <source>Import killmails</source>
        <translation>Killmails importieren</translation>
    </message>
    <message>
        <source>Killmails and archives (*.json *.json.bz2 *.json.gz *.tar *.tar.bz2 *.tar.gz *.zip);;All files (*)</source>
        <translation>Killmails und Archive (*.json *.json.bz2 *.json.gz *.tar *.tar.bz2 *.tar.gz *.zip);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Import a folder of killmails</source>
        <translation>Einen Ordner mit Killmails importieren</translation>
    </message>
    <message>
        <source>Import market history</source>
        <translation>Markthistorie importieren</translation>
    </message>
    <message>
        <source>EVE Ref market history (*.csv *.csv.bz2);;All files (*)</source>
        <translation>Markthistorie von EVE Ref (*.csv *.csv.bz2);;Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>km::ui::ConnectionTester</name>
    <message>
        <source>Connected to %1</source>
        <translation>Verbunden mit %1</translation>
    </message>
    <message>
        <source>Cannot connect: %1</source>
        <translation>Verbindung nicht möglich: %1</translation>
    </message>
</context>
<context>
    <name>km::ui::EngineReportModel</name>
    <message>
        <source>silent since %1</source>
        <translation>keine Meldung seit %1</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>waiting for its database</source>
        <translation>wartet auf seine Datenbank</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>Prozess</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>Last report</source>
        <translation>Letzte Meldung</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>Quellen</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
</context>
<context>
    <name>km::ui::FailedJobsModel</name>
    <message>
        <source>Queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Failed (UTC)</source>
        <translation>Fehlgeschlagen (UTC)</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
</context>
<context>
    <name>km::ui::FailuresView</name>
    <message>
        <source>&amp;Retry selected</source>
        <translation>Ausgewählte &amp;wiederholen</translation>
    </message>
    <message>
        <source>Retry &amp;all</source>
        <translation>&amp;Alle wiederholen</translation>
    </message>
    <message>
        <source>&amp;Delete selected…</source>
        <translation>Ausgewählte &amp;löschen…</translation>
    </message>
    <message>
        <source>C&amp;lear failed…</source>
        <translation>Fehlgeschlagene &amp;entfernen…</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>Details &amp;kopieren</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>Akt&amp;ualisieren</translation>
    </message>
    <message>
        <source>Put the selected jobs back to wait with fresh attempts (Ctrl+R)</source>
        <translation>Die ausgewählten Jobs mit neuen Versuchen wieder einreihen (Strg+R)</translation>
    </message>
    <message>
        <source>Put every failed job of every queue back to wait (Ctrl+Shift+R)</source>
        <translation>Alle fehlgeschlagenen Jobs aller Warteschlangen wieder einreihen (Strg+Umschalt+R)</translation>
    </message>
    <message>
        <source>Delete the selected jobs (Delete)</source>
        <translation>Die ausgewählten Jobs löschen (Entf)</translation>
    </message>
    <message>
        <source>Delete every failed job of every queue</source>
        <translation>Alle fehlgeschlagenen Jobs aller Warteschlangen löschen</translation>
    </message>
    <message>
        <source>Copy the selected jobs&apos; key, queue, attempts, time, whole error and payload</source>
        <translation>Schlüssel, Warteschlange, Versuche, Zeit, vollständigen Fehler und Nutzdaten der ausgewählten Jobs kopieren</translation>
    </message>
    <message>
        <source>The failed jobs cannot be read: %1</source>
        <translation>Die fehlgeschlagenen Jobs können nicht gelesen werden: %1</translation>
    </message>
    <message numerus="yes">
        <source>%Ln failed job(s); the %L1 most recent are shown</source>
        <translation>
            <numerusform>%Ln fehlgeschlagener Job; die %L1 neuesten werden angezeigt</numerusform>
            <numerusform>%Ln fehlgeschlagene Jobs; die %L1 neuesten werden angezeigt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln failed job(s)</source>
        <translation>
            <numerusform>%Ln fehlgeschlagener Job</numerusform>
            <numerusform>%Ln fehlgeschlagene Jobs</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) put back to wait</source>
        <translation>
            <numerusform>%n Job wieder eingereiht</numerusform>
            <numerusform>%n Jobs wieder eingereiht</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete the %n selected failed job(s)? They cannot be retried afterwards.</source>
        <translation>
            <numerusform>Den %n ausgewählten fehlgeschlagenen Job löschen? Er kann danach nicht mehr wiederholt werden.</numerusform>
            <numerusform>Die %n ausgewählten fehlgeschlagenen Jobs löschen? Sie können danach nicht mehr wiederholt werden.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message numerus="yes">
        <source>%n failed job(s) deleted</source>
        <translation>
            <numerusform>%n fehlgeschlagener Job gelöscht</numerusform>
            <numerusform>%n fehlgeschlagene Jobs gelöscht</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete all %n failed job(s) of every queue? They cannot be retried afterwards.</source>
        <translation>
            <numerusform>Den %n fehlgeschlagenen Job aller Warteschlangen löschen? Er kann danach nicht mehr wiederholt werden.</numerusform>
            <numerusform>Alle %n fehlgeschlagenen Jobs aller Warteschlangen löschen? Sie können danach nicht mehr wiederholt werden.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete all</source>
        <translation>Alle löschen</translation>
    </message>
    <message>
        <source>Key: %1</source>
        <translation>Schlüssel: %1</translation>
    </message>
    <message>
        <source>Queue: %1</source>
        <translation>Warteschlange: %1</translation>
    </message>
    <message>
        <source>Attempts: %1</source>
        <translation>Versuche: %1</translation>
    </message>
    <message>
        <source>Failed: %1 UTC</source>
        <translation>Fehlgeschlagen: %1 UTC</translation>
    </message>
    <message>
        <source>Error:</source>
        <translation>Fehler:</translation>
    </message>
    <message>
        <source>Payload:</source>
        <translation>Nutzdaten:</translation>
    </message>
    <message numerus="yes">
        <source>Details of %n job(s) copied</source>
        <translation>
            <numerusform>Details von %n Job kopiert</numerusform>
            <numerusform>Details von %n Jobs kopiert</numerusform>
        </translation>
    </message>
    <message>
        <source>Failed jobs</source>
        <translation>Fehlgeschlagene Jobs</translation>
    </message>
    <message>
        <source>Not done: %1</source>
        <translation>Nicht ausgeführt: %1</translation>
    </message>
</context>
<context>
    <name>km::ui::FeedModel</name>
    <message>
        <source>System %1</source>
        <translation>System %1</translation>
    </message>
    <message>
        <source>solo</source>
        <translation>solo</translation>
    </message>
    <message>
        <source>npc</source>
        <translation>npc</translation>
    </message>
    <message>
        <source>awox</source>
        <translation>awox</translation>
    </message>
    <message>
        <source>Security %1</source>
        <translation>Sicherheit %1</translation>
    </message>
    <message>
        <source>%L1 ISK</source>
        <translation>%L1 ISK</translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation>Zeit (UTC)</translation>
    </message>
    <message>
        <source>Ship</source>
        <translation>Schiff</translation>
    </message>
    <message>
        <source>Victim</source>
        <translation>Opfer</translation>
    </message>
    <message>
        <source>Final blow</source>
        <translation>Final Blow</translation>
    </message>
    <message>
        <source>Attackers</source>
        <translation>Angreifer</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>Region</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>Flags</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>Corporation / alliance</source>
        <translation>Corporation / Allianz</translation>
    </message>
</context>
<context>
    <name>km::ui::FeedView</name>
    <message>
        <source>Solo</source>
        <translation>Solo</translation>
    </message>
    <message>
        <source>NPC</source>
        <translation>NPC</translation>
    </message>
    <message>
        <source>Awox</source>
        <translation>Awox</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Minimum value (e.g. 100m, 1.5b)</source>
        <translation>Mindestwert (z. B. 100m, 1.5b)</translation>
    </message>
    <message>
        <source>Hold new kills back from the view (Ctrl+P)</source>
        <translation>Neue Kills vorerst nicht anzeigen (Strg+P)</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>Details anzeigen</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Not an amount: write it like 500000, 250k, 100m or 1.5b</source>
        <translation>Kein Betrag: etwa 500000, 250k, 100m oder 1.5b schreiben</translation>
    </message>
    <message numerus="yes">
        <source>%n kill(s) shown</source>
        <translation>
            <numerusform>%n Kill angezeigt</numerusform>
            <numerusform>%n Kills angezeigt</numerusform>
        </translation>
    </message>
    <message>
        <source>Ship, victim, final blow, entity ID, system, region, source or killmail ID</source>
        <translation>Schiff, Opfer, Final Blow, Entitäts-ID, System, Region, Quelle oder Killmail-ID</translation>
    </message>
    <message>
        <source>Older kills cannot be read</source>
        <translation>Ältere Kills können nicht gelesen werden</translation>
    </message>
</context>
<context>
    <name>km::ui::FleetView</name>
    <message>
        <source>Engines sharing the database</source>
        <translation>Engines mit derselben Datenbank</translation>
    </message>
    <message>
        <source>Sources of the selected engine</source>
        <translation>Quellen der gewählten Engine</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>Warteschlangen</translation>
    </message>
    <message>
        <source>Engines running: %1 of %2 reporting to this database</source>
        <translation>Laufende Engines: %1 von %2, die an diese Datenbank melden</translation>
    </message>
    <message>
        <source>Database: connected</source>
        <translation>Datenbank: verbunden</translation>
    </message>
    <message>
        <source>Database: cannot be read (%1); trying again</source>
        <translation>Datenbank: nicht lesbar (%1); neuer Versuch folgt</translation>
    </message>
</context>
<context>
    <name>km::ui::HealthView</name>
    <message>
        <source>Queues</source>
        <translation>Warteschlangen</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>Quellen</translation>
    </message>
    <message>
        <source>%1 killmails/s over the last minute, failure rate %2%</source>
        <translation>%1 Killmails/s in der letzten Minute, Fehlerquote %2 %</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>ESI: %L1 requests, %L2 timeouts, %L3 network errors; error limit left: %4; tokens left: %5</source>
        <translation>ESI: %L1 Anfragen, %L2 Zeitüberschreitungen, %L3 Netzwerkfehler; verbleibendes Fehlerlimit: %4; verbleibende Tokens: %5</translation>
    </message>
    <message>
        <source>not known yet</source>
        <translation>noch unbekannt</translation>
    </message>
    <message>
        <source>none used yet</source>
        <translation>noch keine verbraucht</translation>
    </message>
    <message>
        <source>Failure alert: %1</source>
        <translation>Fehleralarm: %1</translation>
    </message>
    <message>
        <source>Database: connected</source>
        <translation>Datenbank: verbunden</translation>
    </message>
    <message>
        <source>&lt;b&gt;Database unavailable:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;Datenbank nicht erreichbar:&lt;/b&gt; %1</translation>
    </message>
    <message>
        <source>Killmails stored/s</source>
        <translation>Gespeicherte Killmails/s</translation>
    </message>
    <message>
        <source>ESI requests/s</source>
        <translation>ESI-Anfragen/s</translation>
    </message>
    <message>
        <source>Rates</source>
        <translation>Raten</translation>
    </message>
    <message>
        <source>Last 5 minutes</source>
        <translation>Letzte 5 Minuten</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
</context>
<context>
    <name>km::ui::JobModel</name>
    <message>
        <source>Finding killmails</source>
        <translation>Suche Killmails</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Verarbeitung</translation>
    </message>
    <message>
        <source>Importing</source>
        <translation>Import läuft</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Did not finish</source>
        <translation>Nicht abgeschlossen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>%1% (%2)</source>
        <translation>%1 % (%2)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>ETA</source>
        <translation>Restzeit</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
</context>
<context>
    <name>km::ui::KillmailDialog</name>
    <message>
        <source>%L1 ISK</source>
        <translation>%L1 ISK</translation>
    </message>
    <message>
        <source>Killmail %1</source>
        <translation>Killmail %1</translation>
    </message>
    <message>
        <source>Open on zKillboard</source>
        <translation>Auf zKillboard öffnen</translation>
    </message>
    <message>
        <source>Attackers (%1)</source>
        <translation>Angreifer (%1)</translation>
    </message>
    <message>
        <source>Items (%1)</source>
        <translation>Gegenstände (%1)</translation>
    </message>
    <message>
        <source>Copy as JSON</source>
        <translation>Als JSON kopieren</translation>
    </message>
    <message>
        <source>System %1</source>
        <translation>System %1</translation>
    </message>
    <message>
        <source>%1 (%2), %3</source>
        <translation>%1 (%2), %3</translation>
    </message>
    <message>
        <source>solo</source>
        <translation>solo</translation>
    </message>
    <message>
        <source>npc</source>
        <translation>npc</translation>
    </message>
    <message>
        <source>awox</source>
        <translation>awox</translation>
    </message>
    <message>
        <source>&lt;h3&gt;%1 &lt;small&gt;%2&lt;/small&gt;&lt;/h3&gt;&lt;p&gt;Victim: %3&lt;br&gt;System: %4&lt;br&gt;Time: %5 UTC&lt;br&gt;Damage taken: %L6&lt;br&gt;Flags: %7&lt;/p&gt;</source>
        <translation>&lt;h3&gt;%1 &lt;small&gt;%2&lt;/small&gt;&lt;/h3&gt;&lt;p&gt;Opfer: %3&lt;br&gt;System: %4&lt;br&gt;Zeit: %5 UTC&lt;br&gt;Erlittener Schaden: %L6&lt;br&gt;Flags: %7&lt;/p&gt;</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>Total %1 (%2) · destroyed %3 · dropped %4 · fitted %5</source>
        <translation>Gesamt %1 (%2) · zerstört %3 · gedroppt %4 · gefittet %5</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Gegenstand</translation>
    </message>
    <message>
        <source>Destroyed</source>
        <translation>Zerstört</translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation>Gedroppt</translation>
    </message>
    <message>
        <source>Flag %1</source>
        <translation>Slot %1</translation>
    </message>
    <message>
        <source>The item values cannot be read: %1</source>
        <translation>Die Werte der Gegenstände können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%L1 × %2</source>
        <translation>%L1 × %2</translation>
    </message>
    <message>
        <source>Ship %1</source>
        <translation>Schiff %1</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Wert</translation>
    </message>
</context>
<context>
    <name>km::ui::MainWindow</name>
    <message>
        <source>Killmail Console</source>
        <translation>Killmail Console</translation>
    </message>
    <message>
        <source>&amp;Live feed</source>
        <translation>&amp;Live-Feed</translation>
    </message>
    <message>
        <source>Engine &amp;health</source>
        <translation>&amp;Zustand der Engine</translation>
    </message>
    <message>
        <source>The engine cannot run: %1</source>
        <translation>Die Engine kann nicht laufen: %1</translation>
    </message>
    <message>
        <source>Engine running</source>
        <translation>Engine läuft</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Pause the feed</source>
        <translation>Feed &amp;anhalten</translation>
    </message>
    <message>
        <source>Stopping: the jobs in hand finish or are given back…</source>
        <translation>Wird beendet: Laufende Jobs werden abgeschlossen oder zurückgegeben…</translation>
    </message>
    <message>
        <source>The engine has stopped</source>
        <translation>Die Engine wurde gestoppt</translation>
    </message>
    <message>
        <source>&amp;Backfills and imports</source>
        <translation>&amp;Backfills und Importe</translation>
    </message>
    <message>
        <source>Killmail Console (attached)</source>
        <translation>Killmail Console (angebunden)</translation>
    </message>
    <message>
        <source>&amp;Engines</source>
        <translation>&amp;Engines</translation>
    </message>
    <message>
        <source>Attached to %1, without an engine of its own</source>
        <translation>Angebunden an %1, ohne eigene Engine</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>Fail&amp;ures</source>
        <translation>&amp;Fehler</translation>
    </message>
</context>
<context>
    <name>km::ui::Names</name>
    <message>
        <source>Character %1</source>
        <translation>Charakter %1</translation>
    </message>
    <message>
        <source>Corporation %1</source>
        <translation>Corporation %1</translation>
    </message>
    <message>
        <source>Faction %1</source>
        <translation>Fraktion %1</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Unbekannt</translation>
    </message>
    <message>
        <source>Alliance %1</source>
        <translation>Allianz %1</translation>
    </message>
    <message>
        <source>Type %1</source>
        <translation>Typ %1</translation>
    </message>
</context>
<context>
    <name>km::ui::QueueModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <source>Delayed</source>
        <translation>Verzögert</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Oldest waiting</source>
        <translation>Am längsten wartend</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <source>Retried</source>
        <translation>Wiederholt</translation>
    </message>
    <message>
        <source>Failed here</source>
        <translation>Hier fehlgeschlagen</translation>
    </message>
    <message>
        <source>Since this engine started</source>
        <translation>Seit dem Start dieser Engine</translation>
    </message>
    <message>
        <source>How long the job ready longest has waited</source>
        <translation>Wie lange der am längsten bereite Job schon wartet</translation>
    </message>
    <message>
        <source>In the database, as last read</source>
        <translation>In der Datenbank, zuletzt gelesen</translation>
    </message>
</context>
<context>
    <name>km::ui::RateChart</name>
    <message>
        <source>-%1 min</source>
        <translation>-%1 min</translation>
    </message>
    <message>
        <source>no data yet</source>
        <translation>noch keine Daten</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
</context>
<context>
    <name>km::ui::SettingField</name>
    <message>
        <source>Choose…</source>
        <translation>Auswählen…</translation>
    </message>
</context>
<context>
    <name>km::ui::SettingsDialog</name>
    <message>
        <source>Set by %1 on the command line, which overrides the config file</source>
        <translation>Gesetzt durch %1 auf der Kommandozeile, die Vorrang vor der Konfigurationsdatei hat</translation>
    </message>
    <message>
        <source>Set by the environment variable %1, which overrides the config file</source>
        <translation>Gesetzt durch die Umgebungsvariable %1, die Vorrang vor der Konfigurationsdatei hat</translation>
    </message>
    <message>
        <source>From the config file</source>
        <translation>Aus der Konfigurationsdatei</translation>
    </message>
    <message>
        <source>Default (not in the config file)</source>
        <translation>Vorgabe (nicht in der Konfigurationsdatei)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>The settings are kept in %1, which the command line and --headless read too. A flag or an environment variable overrides the file. The running engine keeps the settings it started with: changes apply when the console is started again (none can be applied while it runs); commands read the file each time they run.</source>
        <translation>Die Einstellungen stehen in %1, die auch die Kommandozeile und --headless lesen. Ein Flag oder eine Umgebungsvariable hat Vorrang vor der Datei. Die laufende Engine behält die Einstellungen, mit denen sie gestartet wurde: Änderungen gelten beim nächsten Start der Konsole (keine lässt sich im laufenden Betrieb übernehmen); Befehle lesen die Datei bei jedem Aufruf.</translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation>&amp;Neu laden</translation>
    </message>
    <message>
        <source>%1
Flag: --%2 · environment: %3 · config file: %4</source>
        <translation>%1
Flag: --%2 · Umgebung: %3 · Konfigurationsdatei: %4</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>Verbindung &amp;testen</translation>
    </message>
    <message>
        <source>The settings cannot be read: %1</source>
        <translation>Die Einstellungen können nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Not saved: %1 is refused (%2).</source>
        <translation>Nicht gespeichert: %1 wird abgelehnt (%2).</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Nichts geändert.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <source>Saved to %1. The running engine already uses these values.</source>
        <translation>In %1 gespeichert. Die laufende Engine verwendet diese Werte bereits.</translation>
    </message>
    <message>
        <source>Saved to %1. Restart needed: the running engine keeps its settings for %2.</source>
        <translation>In %1 gespeichert. Neustart nötig: Die laufende Engine behält ihre Einstellungen für %2.</translation>
    </message>
    <message>
        <source>Cannot connect: %1</source>
        <translation>Verbindung nicht möglich: %1</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
</context>
<context>
    <name>km::ui::SourceModel</name>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>startet</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>backing off until %1</source>
        <translation>Backoff bis %1</translation>
    </message>
    <message>
        <source>backing off</source>
        <translation>Backoff</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>At %1</source>
        <translation>Um %1</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Rate</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Empfangen</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Neu</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>Last kill</source>
        <translation>Letzter Kill</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Wo</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Stop %1: its waits and requests end now</source>
        <translation>%1 stoppen: Wartezeiten und Anfragen enden sofort</translation>
    </message>
    <message>
        <source>Start %1 again, from where it stopped</source>
        <translation>%1 erneut starten und dort weitermachen, wo angehalten wurde</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Aktion</translation>
    </message>
</context>
<context>
    <name>km::ui::TrayIcon</name>
    <message>
        <source>Hide the window</source>
        <translation>Fenster ausblenden</translation>
    </message>
    <message>
        <source>Pause the feed</source>
        <translation>Feed anhalten</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Show the window</source>
        <translation>Fenster anzeigen</translation>
    </message>
    <message>
        <source>Killmail Console: %1 killmails/s</source>
        <translation>Killmail Console: %1 Killmails/s</translation>
    </message>
    <message>
        <source>Failure alert: %1</source>
        <translation>Fehleralarm: %1</translation>
    </message>
    <message>
        <source>Database unavailable: %1</source>
        <translation>Datenbank nicht erreichbar: %1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Commands:</source>
        <translation>Befehle:</translation>
    </message>
    <message>
        <source>Run &apos;killmail-console COMMAND --help&apos; for a command&apos;s options.</source>
        <translation>&apos;killmail-console BEFEHL --help&apos; zeigt die Optionen eines Befehls.</translation>
    </message>
    <message>
        <source>Killmail Console</source>
        <translation>Killmail Console</translation>
    </message>
    <message>
        <source>The engine cannot start: %1</source>
        <translation>Die Engine kann nicht starten: %1</translation>
    </message>
    <message>
        <source>Ingests EVE Online killmails, values and flags them as zKillboard does, and stores them.</source>
        <translation>Nimmt Killmails aus EVE Online auf, bewertet und markiert sie wie zKillboard und speichert sie.</translation>
    </message>
    <message>
        <source>Log informational messages too.</source>
        <translation>Auch informative Meldungen protokollieren.</translation>
    </message>
    <message>
        <source>Run the engine without a window.</source>
        <translation>Die Engine ohne Fenster ausführen.</translation>
    </message>
    <message>
        <source>A subcommand (see below); none opens the console.</source>
        <translation>Ein Unterbefehl (siehe unten); ohne öffnet sich die Konsole.</translation>
    </message>
    <message>
        <source>Open the console without an engine of its own, attached to the --headless engines that share the database.</source>
        <translation>Die Konsole ohne eigene Engine öffnen, angebunden an die --headless-Engines, die sich die Datenbank teilen.</translation>
    </message>
</context>
</TS>
