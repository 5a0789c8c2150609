<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
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
</context>
<context>
    <name>EngineOptions</name>
    <message>
        <source>the value holds the control character U+%1</source>
        <translation>der Wert enthält das Steuerzeichen U+%1</translation>
    </message>
    <message>
        <source>&apos;%1&apos; names no live feed (say none to switch them off)</source>
        <translation>&apos;%1&apos; ist kein Live-Feed (none schaltet alle ab)</translation>
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
        <source>Ship, victim, system, region, source or ID</source>
        <translation>Schiff, Opfer, System, Region, Quelle oder ID</translation>
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
</context>
</TS>
