<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
<context>
    <name>BackfillCommand</name>
    <message>
        <source>Only queue the killmails, for a running --headless engine to process; do not process them here.</source>
        <translation>Только поставить киллмейлы в очередь для работающего движка --headless; здесь их не обрабатывать.</translation>
    </message>
    <message>
        <source>killmails found</source>
        <translation>киллмейлов найдено</translation>
    </message>
    <message>
        <source>%1: %2 killmails found, %3 queued; processing them
</source>
        <translation>%1: найдено киллмейлов: %2, в очереди: %3; обработка
</translation>
    </message>
    <message>
        <source>killmails processed</source>
        <translation>киллмейлов обработано</translation>
    </message>
    <message>
        <source>%1: %2 killmails found, %3 queued</source>
        <translation>%1: найдено киллмейлов: %2, в очереди: %3</translation>
    </message>
    <message>
        <source>, %1 processed, %2 failed</source>
        <translation>, обработано: %1, с ошибкой: %2</translation>
    </message>
    <message>
        <source>, %1 errors
</source>
        <translation>, ошибок: %1
</translation>
    </message>
    <message>
        <source>last error: %1
</source>
        <translation>последняя ошибка: %1
</translation>
    </message>
    <message>
        <source>%1: cancelled; run the same command again to resume
</source>
        <translation>%1: отменено; запустите ту же команду снова, чтобы продолжить
</translation>
    </message>
    <message>
        <source>%1: did not finish; run the same command again to resume
</source>
        <translation>%1: не завершено; запустите ту же команду снова, чтобы продолжить
</translation>
    </message>
</context>
<context>
    <name>ConfigFile</name>
    <message>
        <source>config file %1 cannot be read</source>
        <translation>файл настроек %1 не читается</translation>
    </message>
    <message>
        <source>config file %1 is not a valid INI file</source>
        <translation>файл настроек %1 — не корректный INI-файл</translation>
    </message>
    <message>
        <source>config file %1: unknown setting &apos;%2&apos; (section/name)</source>
        <translation>файл настроек %1: неизвестная настройка &apos;%2&apos; (раздел/имя)</translation>
    </message>
    <message>
        <source>unknown setting &apos;%1&apos; (section/name)</source>
        <translation>неизвестная настройка &apos;%1&apos; (раздел/имя)</translation>
    </message>
    <message>
        <source>config file %1 cannot be read: %2</source>
        <translation>файл настроек %1 не читается: %2</translation>
    </message>
    <message>
        <source>config file %1 cannot be written: %2</source>
        <translation>файл настроек %1 не записывается: %2</translation>
    </message>
</context>
<context>
    <name>Database</name>
    <message>
        <source>cannot connect to %1: the server at %2:%3 did not answer within %4 s (the URL&apos;s ?connect_timeout=N sets how long)</source>
        <translation>не удаётся подключиться к %1: сервер %2:%3 не ответил за %4 с (время ожидания задаёт ?connect_timeout=N в URL)</translation>
    </message>
</context>
<context>
    <name>DatabaseUrl</name>
    <message>
        <source>database URL &apos;%1&apos;: connect_timeout &apos;%2&apos; is not a whole number of seconds (0 waits forever)</source>
        <translation>URL базы данных &apos;%1&apos;: connect_timeout &apos;%2&apos; — не целое число секунд (0 — ждать бесконечно)</translation>
    </message>
    <message>
        <source>database URL &apos;%1&apos;: option &apos;%2&apos; must be a libpq keyword (a-z, _) with a value free of spaces, quotes, backslashes and &apos;;&apos;</source>
        <translation>URL базы данных &apos;%1&apos;: параметр &apos;%2&apos; должен быть ключевым словом libpq (a-z, _), а его значение не должно содержать пробелов, кавычек, обратных косых черт и &apos;;&apos;</translation>
    </message>
</context>
<context>
    <name>EngineOptions</name>
    <message>
        <source>; default: </source>
        <translation>; по умолчанию: </translation>
    </message>
    <message>
        <source>Config file (KILLMAIL_CONFIG; default: %1 when it exists).</source>
        <translation>Файл настроек (KILLMAIL_CONFIG; по умолчанию: %1, если существует).</translation>
    </message>
</context>
<context>
    <name>SdeRefreshCommand</name>
    <message>
        <source>Downloading the SDE build that %1/latest.jsonl names (a large download) and converting it...
</source>
        <translation>Загрузка сборки SDE, указанной в %1/latest.jsonl (большой объём), и её преобразование...
</translation>
    </message>
    <message>
        <source>the static data in use is unchanged</source>
        <translation>используемые статические данные не изменены</translation>
    </message>
    <message>
        <source>SDE build %1 written to %2
types: %3, groups: %4, blueprint materials: %5, solar systems: %6
It is used from the next start; run prices:revalue to bring the stored killmails&apos; values up to date.
</source>
        <translation>Сборка SDE %1 записана в %2
типов: %3, групп: %4, материалов чертежей: %5, солнечных систем: %6
Она используется со следующего запуска; запустите prices:revalue, чтобы обновить стоимость сохранённых киллмейлов.
</translation>
    </message>
    <message>
        <source>Refresh types, groups, blueprints and systems from CCP&apos;s current SDE</source>
        <translation>Обновить типы, группы, чертежи и системы из текущего SDE от CCP</translation>
    </message>
</context>
<context>
    <name>SettingsTable</name>
    <message>
        <source>Database</source>
        <translation>База данных</translation>
    </message>
    <message>
        <source>Database: sqlite:///path/file.db or postgresql://user:pass@host:port/db</source>
        <translation>База данных: sqlite:///путь/файл.db или postgresql://пользователь:пароль@хост:порт/бд</translation>
    </message>
    <message>
        <source>ESI URL</source>
        <translation>URL ESI</translation>
    </message>
    <message>
        <source>ESI base URL</source>
        <translation>Базовый URL ESI</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Контакт</translation>
    </message>
    <message>
        <source>Your contact (mail or in-game name), sent in the User-Agent to ESI, zKillboard, EVE-KILL and EVE Ref as they ask</source>
        <translation>Ваш контакт (почта или имя в игре), передаётся в User-Agent в ESI, zKillboard, EVE-KILL и EVE Ref, как они просят</translation>
    </message>
    <message>
        <source>Concurrent jobs</source>
        <translation>Параллельных заданий</translation>
    </message>
    <message>
        <source>Killmail jobs processed at once</source>
        <translation>Сколько заданий по киллмейлам обрабатывается одновременно</translation>
    </message>
    <message>
        <source>Job lease (seconds)</source>
        <translation>Аренда задания (секунды)</translation>
    </message>
    <message>
        <source>Seconds a worker holds a job before others may take it back, should the worker die</source>
        <translation>Сколько секунд обработчик удерживает задание, прежде чем другие смогут забрать его, если обработчик упадёт</translation>
    </message>
    <message>
        <source>Keep completed jobs (hours)</source>
        <translation>Хранить выполненные задания (часы)</translation>
    </message>
    <message>
        <source>Hours completed jobs are kept; 0 deletes them at once (failed jobs are kept 14 days)</source>
        <translation>Сколько часов хранятся выполненные задания; 0 удаляет их сразу (задания с ошибкой хранятся 14 дней)</translation>
    </message>
    <message>
        <source>Fetch character, corporation and alliance details</source>
        <translation>Загружать сведения о персонажах, корпорациях и альянсах</translation>
    </message>
    <message>
        <source>Do not fetch character, corporation and alliance details from ESI</source>
        <translation>Не загружать из ESI сведения о персонажах, корпорациях и альянсах</translation>
    </message>
    <message>
        <source>Live feeds</source>
        <translation>Живые ленты</translation>
    </message>
    <message>
        <source>Live feeds --headless runs, comma-separated: r2z2, redisq, ekws, or none</source>
        <translation>Живые ленты, которые читает --headless, через запятую: r2z2, redisq, ekws или none</translation>
    </message>
    <message>
        <source>R2Z2 URL</source>
        <translation>URL R2Z2</translation>
    </message>
    <message>
        <source>zKillboard&apos;s R2Z2 feed</source>
        <translation>Лента R2Z2 от zKillboard</translation>
    </message>
    <message>
        <source>RedisQ URL</source>
        <translation>URL RedisQ</translation>
    </message>
    <message>
        <source>A RedisQ-compatible feed</source>
        <translation>Лента, совместимая с RedisQ</translation>
    </message>
    <message>
        <source>RedisQ queue ID</source>
        <translation>ID очереди RedisQ</translation>
    </message>
    <message>
        <source>Your RedisQ queueID (the feed remembers what it sent each queue)</source>
        <translation>Ваш queueID в RedisQ (лента помнит, что отправила каждой очереди)</translation>
    </message>
    <message>
        <source>EVE-KILL WebSocket URL</source>
        <translation>URL WebSocket EVE-KILL</translation>
    </message>
    <message>
        <source>EVE-KILL&apos;s killmail WebSocket</source>
        <translation>WebSocket киллмейлов EVE-KILL</translation>
    </message>
    <message>
        <source>EVE-KILL topics</source>
        <translation>Темы EVE-KILL</translation>
    </message>
    <message>
        <source>EVE-KILL topics, comma-separated (character:ID, corporation:ID, alliance:ID, system:ID, region:ID); none: every killmail</source>
        <translation>Темы EVE-KILL через запятую (character:ID, corporation:ID, alliance:ID, system:ID, region:ID); none: все киллмейлы</translation>
    </message>
    <message>
        <source>zKillboard history URL</source>
        <translation>URL истории zKillboard</translation>
    </message>
    <message>
        <source>Where zKillboard&apos;s history files are: URL/history/totals.json, ... (R2Z2 repairs its gaps from its own URL&apos;s /history/)</source>
        <translation>Где лежат файлы истории zKillboard: URL/history/totals.json, ... (R2Z2 заполняет свои пропуски из /history/ своего URL)</translation>
    </message>
    <message>
        <source>EVE-KILL URL</source>
        <translation>URL EVE-KILL</translation>
    </message>
    <message>
        <source>EVE-KILL&apos;s API (export)</source>
        <translation>API EVE-KILL (экспорт)</translation>
    </message>
    <message>
        <source>EVE Ref URL</source>
        <translation>URL EVE Ref</translation>
    </message>
    <message>
        <source>EVE Ref&apos;s data site (killmail archives, market history)</source>
        <translation>Сайт данных EVE Ref (архивы киллмейлов, история рынка)</translation>
    </message>
    <message>
        <source>Metrics address</source>
        <translation>Адрес метрик</translation>
    </message>
    <message>
        <source>Address /metrics and /healthz listen on</source>
        <translation>Адрес, на котором слушают /metrics и /healthz</translation>
    </message>
    <message>
        <source>Metrics port</source>
        <translation>Порт метрик</translation>
    </message>
    <message>
        <source>Port of /metrics and /healthz; 0 switches them off</source>
        <translation>Порт /metrics и /healthz; 0 отключает их</translation>
    </message>
    <message>
        <source>Failure alert (percent)</source>
        <translation>Тревога об ошибках (проценты)</translation>
    </message>
    <message>
        <source>Share of jobs failing for good (last 10 minutes) that raises the alert</source>
        <translation>Доля окончательно проваленных заданий (за последние 10 минут), при которой поднимается тревога</translation>
    </message>
    <message>
        <source>Live feed address</source>
        <translation>Адрес живой ленты</translation>
    </message>
    <message>
        <source>Address the live feed (WebSocket, /events, /overlay) listens on; off loopback it needs a token</source>
        <translation>Адрес, на котором слушает живая лента (WebSocket, /events, /overlay); вне loopback нужен токен</translation>
    </message>
    <message>
        <source>Live feed port</source>
        <translation>Порт живой ленты</translation>
    </message>
    <message>
        <source>Port of the live feed; 0 switches it off</source>
        <translation>Порт живой ленты; 0 отключает её</translation>
    </message>
    <message>
        <source>Live feed token</source>
        <translation>Токен живой ленты</translation>
    </message>
    <message>
        <source>Access token the live feed&apos;s clients give (?token= or Authorization: Bearer); required when it listens off loopback</source>
        <translation>Токен доступа, который передают клиенты живой ленты (?token= или Authorization: Bearer); обязателен, если она слушает вне loopback</translation>
    </message>
    <message>
        <source>Refresh prices and unknown types daily</source>
        <translation>Ежедневно обновлять цены и неизвестные типы</translation>
    </message>
    <message>
        <source>Do not refresh prices and unknown types daily</source>
        <translation>Не обновлять ежедневно цены и неизвестные типы</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Папка данных</translation>
    </message>
    <message>
        <source>Folder of refreshed static data (sde/, from sde:refresh) and of hand_set_prices.csv, which replaces bundled hand-set prices</source>
        <translation>Папка обновлённых статических данных (sde/, из sde:refresh) и файла hand_set_prices.csv, заменяющего встроенные ручные цены</translation>
    </message>
    <message>
        <source>SDE URL</source>
        <translation>URL SDE</translation>
    </message>
    <message>
        <source>CCP&apos;s static data export (sde:refresh reads URL/latest.jsonl, then the build&apos;s JSON Lines zip)</source>
        <translation>Экспорт статических данных CCP (sde:refresh читает URL/latest.jsonl, затем zip сборки в формате JSON Lines)</translation>
    </message>
    <message>
        <source>HTTP pause (seconds)</source>
        <translation>Пауза HTTP (секунды)</translation>
    </message>
    <message>
        <source>Seconds without an answer, or without progress of one, after which a request to zKillboard, EVE-KILL or EVE Ref is given up</source>
        <translation>Секунды без ответа или без его продвижения, после которых запрос к zKillboard, EVE-KILL или EVE Ref прекращается</translation>
    </message>
    <message>
        <source>HTTP redirects</source>
        <translation>Перенаправления HTTP</translation>
    </message>
    <message>
        <source>Redirects one request follows before it fails</source>
        <translation>Сколько перенаправлений проходит один запрос, прежде чем завершиться ошибкой</translation>
    </message>
    <message>
        <source>Largest answer (MiB)</source>
        <translation>Наибольший ответ (МиБ)</translation>
    </message>
    <message>
        <source>The most one answer (a feed record or poll, a page, an index) may bring</source>
        <translation>Наибольший объём одного ответа (записи или опроса ленты, страницы, индекса)</translation>
    </message>
    <message>
        <source>Longest answer (seconds)</source>
        <translation>Самый долгий ответ (секунды)</translation>
    </message>
    <message>
        <source>The most one answer may take, from asking to its last byte</source>
        <translation>Наибольшее время одного ответа, от запроса до последнего байта</translation>
    </message>
    <message>
        <source>Largest history day (MiB)</source>
        <translation>Наибольший день истории (МиБ)</translation>
    </message>
    <message>
        <source>The most one zKillboard history day may bring</source>
        <translation>Наибольший объём одного дня истории zKillboard</translation>
    </message>
    <message>
        <source>Longest history day (seconds)</source>
        <translation>Самый долгий день истории (секунды)</translation>
    </message>
    <message>
        <source>The most one zKillboard history day may take</source>
        <translation>Наибольшее время загрузки одного дня истории zKillboard</translation>
    </message>
    <message>
        <source>Largest download (MiB)</source>
        <translation>Наибольшая загрузка (МиБ)</translation>
    </message>
    <message>
        <source>The most one file downloaded to disk (an EVE Ref archive, the static data export) may bring</source>
        <translation>Наибольший объём одного файла, загружаемого на диск (архива EVE Ref, выгрузки статических данных)</translation>
    </message>
    <message>
        <source>Longest download (seconds)</source>
        <translation>Самая долгая загрузка (секунды)</translation>
    </message>
    <message>
        <source>The most one file downloaded to disk may take</source>
        <translation>Наибольшее время загрузки одного файла на диск</translation>
    </message>
</context>
<context>
    <name>km::FeedClient</name>
    <message>
        <source>Invalid topics: %1</source>
        <translation>Недопустимые темы: %1</translation>
    </message>
    <message>
        <source>Too many topics: at most %1 per client, this would make %2</source>
        <translation>Слишком много тем: не более %1 на клиента, а получилось бы %2</translation>
    </message>
</context>
<context>
    <name>km::FeedServer</name>
    <message>
        <source>the live feed would listen on %1, off loopback, without an access token: set --feed-token</source>
        <translation>живая лента слушала бы %1 вне loopback без токена доступа: задайте --feed-token</translation>
    </message>
    <message>
        <source>the live feed cannot listen on %1:%2: %3</source>
        <translation>живая лента не может слушать %1:%2: %3</translation>
    </message>
</context>
<context>
    <name>km::ImportRun</name>
    <message>
        <source>%1 stored, %2 duplicates, %3 rejected</source>
        <translation>сохранено: %1, дубликатов: %2, отклонено: %3</translation>
    </message>
    <message>
        <source>, %1 queued for ESI</source>
        <translation>, в очереди на ESI: %1</translation>
    </message>
    <message>
        <source>; stopped by a database error: %1</source>
        <translation>; остановлено ошибкой базы данных: %1</translation>
    </message>
    <message>
        <source>; first refused: %1: %2</source>
        <translation>; первое отклонённое: %1: %2</translation>
    </message>
    <message>
        <source>%1 of %2 files, %3 rows imported, %4 unchanged, %5 bad rows</source>
        <translation>файлов: %1 из %2, импортировано строк: %3, без изменений: %4, ошибочных строк: %5</translation>
    </message>
    <message>
        <source>; failed: %1</source>
        <translation>; сбой: %1</translation>
    </message>
    <message>
        <source>stopped by a database error: %1</source>
        <translation>остановлено ошибкой базы данных: %1</translation>
    </message>
</context>
<context>
    <name>km::ProgressSnapshot</name>
    <message>
        <source>ETA %1</source>
        <translation>осталось %1</translation>
    </message>
</context>
<context>
    <name>km::SseFeedClient</name>
    <message>
        <source>No topics given: /events?topics=all (or highsec, 5b, region:10000002, ...)</source>
        <translation>Темы не указаны: /events?topics=all (или highsec, 5b, region:10000002, ...)</translation>
    </message>
</context>
<context>
    <name>km::WebSocketFeedClient</name>
    <message>
        <source>the server is going away</source>
        <translation>сервер завершает работу</translation>
    </message>
    <message>
        <source>client is too slow</source>
        <translation>клиент слишком медленный</translation>
    </message>
    <message>
        <source>no pong for too long</source>
        <translation>слишком долго нет pong</translation>
    </message>
    <message>
        <source>Malformed JSON message</source>
        <translation>Некорректное JSON-сообщение</translation>
    </message>
    <message>
        <source>Unknown message type &apos;%1&apos; (subscribe, unsubscribe, ping)</source>
        <translation>Неизвестный тип сообщения &apos;%1&apos; (subscribe, unsubscribe, ping)</translation>
    </message>
    <message>
        <source>No topics given</source>
        <translation>Темы не указаны</translation>
    </message>
</context>
<context>
    <name>km::cli::AddCommand</name>
    <message>
        <source>Queue a killmail (ID and hash) or an entity update (ID)</source>
        <translation>Поставить в очередь киллмейл (ID и хеш) или обновление сущности (ID)</translation>
    </message>
    <message>
        <source>The killmail&apos;s or the entity&apos;s ID.</source>
        <translation>ID киллмейла или сущности.</translation>
    </message>
    <message>
        <source>The killmail&apos;s hash (killmail only).</source>
        <translation>Хеш киллмейла (только для киллмейла).</translation>
    </message>
    <message>
        <source>high, normal or low (default: high for a killmail, low for an entity update).</source>
        <translation>high, normal или low (по умолчанию: high для киллмейла, low для обновления сущности).</translation>
    </message>
    <message>
        <source>usage: queue:add killmail ID HASH</source>
        <translation>использование: queue:add killmail ID HASH</translation>
    </message>
    <message>
        <source>usage: queue:add %1 ID (an ID only)</source>
        <translation>использование: queue:add %1 ID (только ID)</translation>
    </message>
    <message>
        <source>the ID must be a positive whole number, not &apos;%1&apos;</source>
        <translation>ID должен быть целым положительным числом, а не &apos;%1&apos;</translation>
    </message>
    <message>
        <source>--priority takes high, normal or low, not &apos;%1&apos;</source>
        <translation>--priority ожидает high, normal или low, а не &apos;%1&apos;</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a killmail hash (40 hexadecimal digits)</source>
        <translation>&apos;%1&apos; — не хеш киллмейла (40 шестнадцатеричных цифр)</translation>
    </message>
    <message>
        <source>is already stored</source>
        <translation>уже сохранён</translation>
    </message>
    <message>
        <source>is already queued</source>
        <translation>уже в очереди</translation>
    </message>
    <message>
        <source>added to queue %1 (%2 priority)</source>
        <translation>добавлено в очередь %1 (приоритет %2)</translation>
    </message>
</context>
<context>
    <name>km::cli::CheckDataCommand</name>
    <message>
        <source>Recompute flags and values only for killmails from this day on.</source>
        <translation>Пересчитать флаги и стоимость только для киллмейлов начиная с этого дня.</translation>
    </message>
    <message>
        <source>Skip recomputing flags and values (structural checks only).</source>
        <translation>Не пересчитывать флаги и стоимость (только структурные проверки).</translation>
    </message>
    <message>
        <source>recomputing</source>
        <translation>пересчёт</translation>
    </message>
    <message>
        <source>killmails</source>
        <translation>киллмейлов</translation>
    </message>
    <message>
        <source>no problems found</source>
        <translation>проблем не найдено</translation>
    </message>
    <message>
        <source>hint: %1</source>
        <translation>подсказка: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n kinds of problem found</source>
        <translation>
            <numerusform>найден %n вид проблем</numerusform>
            <numerusform>найдено %n вида проблем</numerusform>
            <numerusform>найдено %n видов проблем</numerusform>
        </translation>
    </message>
    <message>
        <source>Check stored data for integrity problems</source>
        <translation>Проверить сохранённые данные на нарушения целостности</translation>
    </message>
    <message>
        <source>PROBLEM %1: %2</source>
        <translation>ПРОБЛЕМА %1: %2</translation>
    </message>
</context>
<context>
    <name>km::cli::ClearCommand</name>
    <message>
        <source>Delete a queue&apos;s failed or completed jobs</source>
        <translation>Удалить задания очереди с ошибкой или выполненные</translation>
    </message>
    <message>
        <source>Delete the failed jobs.</source>
        <translation>Удалить задания с ошибкой.</translation>
    </message>
    <message>
        <source>Delete the completed jobs.</source>
        <translation>Удалить выполненные задания.</translation>
    </message>
    <message>
        <source>%1: failed jobs deleted: %2</source>
        <translation>%1: удалено заданий с ошибкой: %2</translation>
    </message>
    <message>
        <source>%1: completed jobs deleted: %2</source>
        <translation>%1: удалено выполненных заданий: %2</translation>
    </message>
    <message>
        <source>say which jobs to delete: --failed, --completed or both</source>
        <translation>укажите, какие задания удалить: --failed, --completed или оба</translation>
    </message>
</context>
<context>
    <name>km::cli::Command</name>
    <message>
        <source>--%1 takes a date as YYYY-MM-DD, not &apos;%2&apos;</source>
        <translation>--%1 ожидает дату в формате ГГГГ-ММ-ДД (YYYY-MM-DD), а не &apos;%2&apos;</translation>
    </message>
    <message>
        <source>unknown command &apos;%1&apos; (see --help)</source>
        <translation>неизвестная команда &apos;%1&apos; (см. --help)</translation>
    </message>
</context>
<context>
    <name>km::cli::Headless</name>
    <message>
        <source>cannot run: %1</source>
        <translation>работа невозможна: %1</translation>
    </message>
    <message>
        <source>cannot start: %1</source>
        <translation>запуск невозможен: %1</translation>
    </message>
</context>
<context>
    <name>km::cli::ListCommand</name>
    <message>
        <source>List a queue&apos;s failed jobs</source>
        <translation>Показать задания очереди с ошибкой</translation>
    </message>
    <message>
        <source>List the failed jobs (required), most recent first.</source>
        <translation>Показать задания с ошибкой (обязательно), сначала самые новые.</translation>
    </message>
    <message>
        <source>Show at most N jobs (default %1).</source>
        <translation>Показать не более N заданий (по умолчанию %1).</translation>
    </message>
    <message>
        <source>only failed jobs are listed</source>
        <translation>показываются только задания с ошибкой</translation>
    </message>
    <message>
        <source>--limit takes a positive number, not &apos;%1&apos;</source>
        <translation>--limit ожидает положительное число, а не &apos;%1&apos;</translation>
    </message>
    <message>
        <source>id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>key</source>
        <translation>ключ</translation>
    </message>
    <message>
        <source>attempts</source>
        <translation>попыток</translation>
    </message>
    <message>
        <source>failed at</source>
        <translation>время сбоя</translation>
    </message>
    <message>
        <source>last error</source>
        <translation>последняя ошибка</translation>
    </message>
    <message>
        <source>%1: failed jobs shown: %2 of %3, most recent first</source>
        <translation>%1: показано заданий с ошибкой: %2 из %3, сначала самые новые</translation>
    </message>
</context>
<context>
    <name>km::cli::PartitionsCommand</name>
    <message>
        <source>Create partitions for this month and the next N months first.</source>
        <translation>Сначала создать секции для этого месяца и N следующих.</translation>
    </message>
    <message>
        <source>SQLite databases are not partitioned: every killmail is in one table.</source>
        <translation>Базы данных SQLite не секционируются: все киллмейлы хранятся в одной таблице.</translation>
    </message>
    <message>
        <source>--create-ahead takes a number of months from 0 to 120</source>
        <translation>--create-ahead ожидает число месяцев от 0 до 120</translation>
    </message>
    <message>
        <source>month</source>
        <translation>месяц</translation>
    </message>
    <message>
        <source>partition</source>
        <translation>секция</translation>
    </message>
    <message>
        <source>rows</source>
        <translation>строк</translation>
    </message>
    <message numerus="yes">
        <source>%n partitions</source>
        <translation>
            <numerusform>%n секция</numerusform>
            <numerusform>%n секции</numerusform>
            <numerusform>%n секций</numerusform>
        </translation>
    </message>
    <message>
        <source>List monthly partitions and their row counts</source>
        <translation>Показать помесячные секции и число строк в них</translation>
    </message>
</context>
<context>
    <name>km::cli::QueueCommand</name>
    <message>
        <source>The queue: %1.</source>
        <translation>Очередь: %1.</translation>
    </message>
    <message>
        <source>The queue: %1 (default: every queue).</source>
        <translation>Очередь: %1 (по умолчанию: все очереди).</translation>
    </message>
    <message>
        <source>name a queue: %1</source>
        <translation>укажите очередь: %1</translation>
    </message>
    <message>
        <source>too many arguments: %1 (see --help)</source>
        <translation>слишком много аргументов: %1 (см. --help)</translation>
    </message>
    <message>
        <source>unknown queue &apos;%1&apos; (known queues: %2)</source>
        <translation>неизвестная очередь &apos;%1&apos; (известные очереди: %2)</translation>
    </message>
    <message>
        <source>Print JSON instead of a table.</source>
        <translation>Вывести JSON вместо таблицы.</translation>
    </message>
    <message>
        <source>needs --failed: %1</source>
        <translation>нужен --failed: %1</translation>
    </message>
    <message>
        <source>queue</source>
        <translation>очередь</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>ожидают</translation>
    </message>
    <message>
        <source>delayed</source>
        <translation>отложены</translation>
    </message>
    <message>
        <source>active</source>
        <translation>активны</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>выполнены</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>с ошибкой</translation>
    </message>
    <message>
        <source>oldest waiting</source>
        <translation>ждёт дольше всех</translation>
    </message>
</context>
<context>
    <name>km::cli::RetryCommand</name>
    <message>
        <source>Put a queue&apos;s failed jobs back to wait</source>
        <translation>Вернуть задания очереди с ошибкой в ожидание</translation>
    </message>
    <message>
        <source>Retry the failed jobs (required), with fresh attempts.</source>
        <translation>Повторить задания с ошибкой (обязательно), со свежими попытками.</translation>
    </message>
    <message>
        <source>only failed jobs are retried</source>
        <translation>повторяются только задания с ошибкой</translation>
    </message>
    <message>
        <source>%1: failed jobs put back to wait: %2</source>
        <translation>%1: возвращено в ожидание заданий с ошибкой: %2</translation>
    </message>
</context>
<context>
    <name>km::cli::StatsCommand</name>
    <message>
        <source>Count each queue&apos;s jobs by state</source>
        <translation>Подсчитать задания каждой очереди по состояниям</translation>
    </message>
</context>
<context>
    <name>km::cli::StatusCommand</name>
    <message>
        <source>not reporting (last report %1 ago)</source>
        <translation>не отвечает (последний отчёт %1 назад)</translation>
    </message>
    <message>
        <source>until %1</source>
        <translation>до %1</translation>
    </message>
    <message>
        <source>Print JSON instead of text.</source>
        <translation>Вывести JSON вместо текста.</translation>
    </message>
    <message>
        <source>engine: running, %1</source>
        <translation>движок: работает, %1</translation>
    </message>
    <message>
        <source>engine: not running (last report %1)</source>
        <translation>движок: не работает (последний отчёт %1)</translation>
    </message>
    <message>
        <source>engine: not running</source>
        <translation>движок: не работает</translation>
    </message>
    <message>
        <source>ALERT: %1</source>
        <translation>ТРЕВОГА: %1</translation>
    </message>
    <message>
        <source>received %1, new %2, errors %3, last killmail %4 at %5</source>
        <translation>получено %1, новых %2, ошибок %3, последний киллмейл %4 в %5</translation>
    </message>
    <message>
        <source>progress %1 of %2</source>
        <translation>выполнено %1 из %2</translation>
    </message>
    <message>
        <source>last error at %1: %2</source>
        <translation>последняя ошибка в %1: %2</translation>
    </message>
    <message>
        <source>no source has reported yet</source>
        <translation>ни один источник ещё не отчитался</translation>
    </message>
    <message>
        <source>Show the sources, the ingestion rate, alerts and the queues&apos; backlog</source>
        <translation>Показать источники, скорость приёма, тревоги и невыполненные задания очередей</translation>
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
        <translation>последний удар</translation>
    </message>
    <message>
        <source>Attacker</source>
        <translation>Атакующий</translation>
    </message>
    <message>
        <source>Corporation</source>
        <translation>Корпорация</translation>
    </message>
    <message>
        <source>Ship</source>
        <translation>Корабль</translation>
    </message>
    <message>
        <source>Weapon</source>
        <translation>Оружие</translation>
    </message>
    <message>
        <source>Damage</source>
        <translation>Урон</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>Доля</translation>
    </message>
    <message>
        <source>Final blow</source>
        <translation>Последний удар</translation>
    </message>
</context>
<context>
    <name>km::ui::BackfillDialog</name>
    <message>
        <source>%1 to %2</source>
        <translation>с %1 по %2</translation>
    </message>
    <message>
        <source>New backfill</source>
        <translation>Новая загрузка истории</translation>
    </message>
    <message>
        <source>zKillboard history</source>
        <translation>История zKillboard</translation>
    </message>
    <message>
        <source>EVE-KILL (by character, corporation or alliance)</source>
        <translation>EVE-KILL (по персонажу, корпорации или альянсу)</translation>
    </message>
    <message>
        <source>EVE Ref daily archives</source>
        <translation>Ежедневные архивы EVE Ref</translation>
    </message>
    <message>
        <source>IDs, separated by spaces or commas</source>
        <translation>ID через пробел или запятую</translation>
    </message>
    <message>
        <source>&amp;Source:</source>
        <translation>&amp;Источник:</translation>
    </message>
    <message>
        <source>&amp;First day (UTC):</source>
        <translation>&amp;Первый день (UTC):</translation>
    </message>
    <message>
        <source>&amp;Last day (UTC):</source>
        <translation>П&amp;оследний день (UTC):</translation>
    </message>
    <message>
        <source>&amp;Characters:</source>
        <translation>П&amp;ерсонажи:</translation>
    </message>
    <message>
        <source>C&amp;orporations:</source>
        <translation>&amp;Корпорации:</translation>
    </message>
    <message>
        <source>&amp;Alliances:</source>
        <translation>&amp;Альянсы:</translation>
    </message>
    <message>
        <source>%1: &apos;%2&apos; is not an ID (a positive number).</source>
        <translation>%1: &apos;%2&apos; — не ID (положительное число).</translation>
    </message>
    <message>
        <source>Characters</source>
        <translation>Персонажи</translation>
    </message>
    <message>
        <source>Corporations</source>
        <translation>Корпорации</translation>
    </message>
    <message>
        <source>Alliances</source>
        <translation>Альянсы</translation>
    </message>
    <message>
        <source>characters</source>
        <translation>персонажи</translation>
    </message>
    <message>
        <source>corporations</source>
        <translation>корпорации</translation>
    </message>
    <message>
        <source>alliances</source>
        <translation>альянсы</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>The last day (%1) is before the first (%2).</source>
        <translation>Последний день (%1) раньше первого (%2).</translation>
    </message>
    <message>
        <source>The last day (%1) is in the future.</source>
        <translation>Последний день (%1) ещё не наступил.</translation>
    </message>
    <message>
        <source>Name at least one character, corporation or alliance: EVE-KILL&apos;s export has no date filter.</source>
        <translation>Укажите хотя бы одного персонажа, корпорацию или альянс: у экспорта EVE-KILL нет фильтра по дате.</translation>
    </message>
</context>
<context>
    <name>km::ui::BackfillsView</name>
    <message numerus="yes">
        <source>%1 and %n more</source>
        <translation>
            <numerusform>%1 и ещё %n</numerusform>
            <numerusform>%1 и ещё %n</numerusform>
            <numerusform>%1 и ещё %n</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;New backfill…</source>
        <translation>&amp;Новая загрузка истории…</translation>
    </message>
    <message>
        <source>Import &amp;killmails…</source>
        <translation>Импорт &amp;киллмейлов…</translation>
    </message>
    <message>
        <source>Import &amp;prices…</source>
        <translation>Импорт &amp;цен…</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Отменить</translation>
    </message>
    <message>
        <source>&amp;Files or archives…</source>
        <translation>&amp;Файлы или архивы…</translation>
    </message>
    <message>
        <source>F&amp;older…</source>
        <translation>П&amp;апка…</translation>
    </message>
    <message>
        <source>Killmail import</source>
        <translation>Импорт киллмейлов</translation>
    </message>
    <message>
        <source>Price import</source>
        <translation>Импорт цен</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>осталось %1</translation>
    </message>
    <message>
        <source>%1 killmails found, %2 queued, %3 errors</source>
        <translation>найдено киллмейлов: %1, в очереди: %2, ошибок: %3</translation>
    </message>
    <message>
        <source>; last error: %1</source>
        <translation>; последняя ошибка: %1</translation>
    </message>
    <message>
        <source>; start it again to resume</source>
        <translation>; запустите снова, чтобы продолжить</translation>
    </message>
    <message>
        <source>Backfills and imports can start once the engine has reached the database.</source>
        <translation>Загрузки истории и импорт можно запускать, когда движок подключится к базе данных.</translation>
    </message>
    <message>
        <source>Import killmails</source>
        <translation>Импорт киллмейлов</translation>
    </message>
    <message>
        <source>Killmails and archives (*.json *.json.bz2 *.json.gz *.tar *.tar.bz2 *.tar.gz *.zip);;All files (*)</source>
        <translation>Киллмейлы и архивы (*.json *.json.bz2 *.json.gz *.tar *.tar.bz2 *.tar.gz *.zip);;Все файлы (*)</translation>
    </message>
    <message>
        <source>Import a folder of killmails</source>
        <translation>Импорт папки с киллмейлами</translation>
    </message>
    <message>
        <source>Import market history</source>
        <translation>Импорт истории рынка</translation>
    </message>
    <message>
        <source>EVE Ref market history (*.csv *.csv.bz2);;All files (*)</source>
        <translation>История рынка EVE Ref (*.csv *.csv.bz2);;Все файлы (*)</translation>
    </message>
</context>
<context>
    <name>km::ui::ConnectionTester</name>
    <message>
        <source>Connected to %1</source>
        <translation>Подключено к %1</translation>
    </message>
    <message>
        <source>Cannot connect: %1</source>
        <translation>Не удаётся подключиться: %1</translation>
    </message>
</context>
<context>
    <name>km::ui::EngineReportModel</name>
    <message>
        <source>silent since %1</source>
        <translation>молчит с %1</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>остановлен</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>запускается</translation>
    </message>
    <message>
        <source>running</source>
        <translation>работает</translation>
    </message>
    <message>
        <source>waiting for its database</source>
        <translation>ждёт свою базу данных</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>завершён</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/с</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>Хост</translation>
    </message>
    <message>
        <source>Process</source>
        <translation>Процесс</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Скорость</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Запущен</translation>
    </message>
    <message>
        <source>Last report</source>
        <translation>Последний отчёт</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>Источники</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Последняя ошибка</translation>
    </message>
</context>
<context>
    <name>km::ui::FailedJobsModel</name>
    <message>
        <source>Queue</source>
        <translation>Очередь</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Ключ</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Попыток</translation>
    </message>
    <message>
        <source>Failed (UTC)</source>
        <translation>Сбой (UTC)</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Последняя ошибка</translation>
    </message>
</context>
<context>
    <name>km::ui::FailuresView</name>
    <message>
        <source>&amp;Retry selected</source>
        <translation>&amp;Повторить выбранные</translation>
    </message>
    <message>
        <source>Retry &amp;all</source>
        <translation>Повторить &amp;все</translation>
    </message>
    <message>
        <source>&amp;Delete selected…</source>
        <translation>&amp;Удалить выбранные…</translation>
    </message>
    <message>
        <source>C&amp;lear failed…</source>
        <translation>&amp;Очистить ошибки…</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>&amp;Копировать сведения</translation>
    </message>
    <message>
        <source>Re&amp;fresh</source>
        <translation>О&amp;бновить</translation>
    </message>
    <message>
        <source>Put the selected jobs back to wait with fresh attempts (Ctrl+R)</source>
        <translation>Вернуть выбранные задания в ожидание со свежими попытками (Ctrl+R)</translation>
    </message>
    <message>
        <source>Put every failed job of every queue back to wait (Ctrl+Shift+R)</source>
        <translation>Вернуть в ожидание все задания с ошибкой во всех очередях (Ctrl+Shift+R)</translation>
    </message>
    <message>
        <source>Delete the selected jobs (Delete)</source>
        <translation>Удалить выбранные задания (Delete)</translation>
    </message>
    <message>
        <source>Delete every failed job of every queue</source>
        <translation>Удалить все задания с ошибкой во всех очередях</translation>
    </message>
    <message>
        <source>Copy the selected jobs&apos; key, queue, attempts, time, whole error and payload</source>
        <translation>Скопировать ключ, очередь, попытки, время, полный текст ошибки и данные выбранных заданий</translation>
    </message>
    <message>
        <source>The failed jobs cannot be read: %1</source>
        <translation>Не удаётся прочитать задания с ошибкой: %1</translation>
    </message>
    <message numerus="yes">
        <source>%Ln failed job(s); the %L1 most recent are shown</source>
        <translation>
            <numerusform>%Ln задание с ошибкой; показаны %L1 последних</numerusform>
            <numerusform>%Ln задания с ошибкой; показаны %L1 последних</numerusform>
            <numerusform>%Ln заданий с ошибкой; показаны %L1 последних</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln failed job(s)</source>
        <translation>
            <numerusform>%Ln задание с ошибкой</numerusform>
            <numerusform>%Ln задания с ошибкой</numerusform>
            <numerusform>%Ln заданий с ошибкой</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) put back to wait</source>
        <translation>
            <numerusform>%n задание возвращено в ожидание</numerusform>
            <numerusform>%n задания возвращены в ожидание</numerusform>
            <numerusform>%n заданий возвращено в ожидание</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete the %n selected failed job(s)? They cannot be retried afterwards.</source>
        <translation>
            <numerusform>Удалить %n выбранное задание с ошибкой? Повторить его потом будет нельзя.</numerusform>
            <numerusform>Удалить %n выбранных задания с ошибкой? Повторить их потом будет нельзя.</numerusform>
            <numerusform>Удалить %n выбранных заданий с ошибкой? Повторить их потом будет нельзя.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Удалить</translation>
    </message>
    <message numerus="yes">
        <source>%n failed job(s) deleted</source>
        <translation>
            <numerusform>Удалено %n задание с ошибкой</numerusform>
            <numerusform>Удалено %n задания с ошибкой</numerusform>
            <numerusform>Удалено %n заданий с ошибкой</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete all %n failed job(s) of every queue? They cannot be retried afterwards.</source>
        <translation>
            <numerusform>Удалить все задания с ошибкой во всех очередях (%n)? Повторить их потом будет нельзя.</numerusform>
            <numerusform>Удалить все задания с ошибкой во всех очередях (%n)? Повторить их потом будет нельзя.</numerusform>
            <numerusform>Удалить все задания с ошибкой во всех очередях (%n)? Повторить их потом будет нельзя.</numerusform>
        </translation>
    </message>
    <message>
        <source>Delete all</source>
        <translation>Удалить все</translation>
    </message>
    <message>
        <source>Key: %1</source>
        <translation>Ключ: %1</translation>
    </message>
    <message>
        <source>Queue: %1</source>
        <translation>Очередь: %1</translation>
    </message>
    <message>
        <source>Attempts: %1</source>
        <translation>Попыток: %1</translation>
    </message>
    <message>
        <source>Failed: %1 UTC</source>
        <translation>Сбой: %1 UTC</translation>
    </message>
    <message>
        <source>Error:</source>
        <translation>Ошибка:</translation>
    </message>
    <message>
        <source>Payload:</source>
        <translation>Данные:</translation>
    </message>
    <message numerus="yes">
        <source>Details of %n job(s) copied</source>
        <translation>
            <numerusform>Скопированы сведения о %n задании</numerusform>
            <numerusform>Скопированы сведения о %n заданиях</numerusform>
            <numerusform>Скопированы сведения о %n заданиях</numerusform>
        </translation>
    </message>
    <message>
        <source>Failed jobs</source>
        <translation>Задания с ошибкой</translation>
    </message>
    <message>
        <source>Not done: %1</source>
        <translation>Не выполнено: %1</translation>
    </message>
</context>
<context>
    <name>km::ui::FeedModel</name>
    <message>
        <source>System %1</source>
        <translation>Система %1</translation>
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
        <translation>Безопасность %1</translation>
    </message>
    <message>
        <source>%L1 ISK</source>
        <translation>%L1 ISK</translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation>Время (UTC)</translation>
    </message>
    <message>
        <source>Ship</source>
        <translation>Корабль</translation>
    </message>
    <message>
        <source>Victim</source>
        <translation>Жертва</translation>
    </message>
    <message>
        <source>Final blow</source>
        <translation>Последний удар</translation>
    </message>
    <message>
        <source>Attackers</source>
        <translation>Атакующие</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Система</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>Регион</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Стоимость</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>Флаги</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Источник</translation>
    </message>
    <message>
        <source>database</source>
        <translation>база данных</translation>
    </message>
    <message>
        <source>Corporation / alliance</source>
        <translation>Корпорация / альянс</translation>
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
        <translation>Пауза</translation>
    </message>
    <message>
        <source>Minimum value (e.g. 100m, 1.5b)</source>
        <translation>Минимальная стоимость (напр. 100m, 1.5b)</translation>
    </message>
    <message>
        <source>Hold new kills back from the view (Ctrl+P)</source>
        <translation>Не показывать новые киллы (Ctrl+P)</translation>
    </message>
    <message>
        <source>Show details</source>
        <translation>Подробности</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Продолжить</translation>
    </message>
    <message>
        <source>Not an amount: write it like 500000, 250k, 100m or 1.5b</source>
        <translation>Не сумма: пишите как 500000, 250k, 100m или 1.5b</translation>
    </message>
    <message numerus="yes">
        <source>%n kill(s) shown</source>
        <translation>
            <numerusform>Показан %n килл</numerusform>
            <numerusform>Показано %n килла</numerusform>
            <numerusform>Показано %n киллов</numerusform>
        </translation>
    </message>
    <message>
        <source>Ship, victim, final blow, entity ID, system, region, source or killmail ID</source>
        <translation>Корабль, жертва, последний удар, ID сущности, система, регион, источник или ID киллмейла</translation>
    </message>
    <message>
        <source>Older kills cannot be read</source>
        <translation>Не удаётся прочитать более старые киллы</translation>
    </message>
</context>
<context>
    <name>km::ui::FleetView</name>
    <message>
        <source>Engines sharing the database</source>
        <translation>Движки с общей базой данных</translation>
    </message>
    <message>
        <source>Sources of the selected engine</source>
        <translation>Источники выбранного движка</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>Очереди</translation>
    </message>
    <message>
        <source>Engines running: %1 of %2 reporting to this database</source>
        <translation>Работающих движков: %1 из %2, отчитывающихся в эту базу данных</translation>
    </message>
    <message>
        <source>Database: connected</source>
        <translation>База данных: подключена</translation>
    </message>
    <message>
        <source>Database: cannot be read (%1); trying again</source>
        <translation>База данных: не читается (%1); повторная попытка</translation>
    </message>
</context>
<context>
    <name>km::ui::HealthView</name>
    <message>
        <source>Queues</source>
        <translation>Очереди</translation>
    </message>
    <message>
        <source>Sources</source>
        <translation>Источники</translation>
    </message>
    <message>
        <source>%1 killmails/s over the last minute, failure rate %2%</source>
        <translation>%1 киллмейлов/с за последнюю минуту, доля ошибок %2 %</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>ESI: %L1 requests, %L2 timeouts, %L3 network errors; error limit left: %4; tokens left: %5</source>
        <translation>ESI: %L1 запросов, %L2 тайм-аутов, %L3 сетевых ошибок; остаток лимита ошибок: %4; остаток токенов: %5</translation>
    </message>
    <message>
        <source>not known yet</source>
        <translation>пока неизвестно</translation>
    </message>
    <message>
        <source>none used yet</source>
        <translation>ещё не расходовались</translation>
    </message>
    <message>
        <source>Failure alert: %1</source>
        <translation>Тревога об ошибках: %1</translation>
    </message>
    <message>
        <source>Database: connected</source>
        <translation>База данных: подключена</translation>
    </message>
    <message>
        <source>&lt;b&gt;Database unavailable:&lt;/b&gt; %1</source>
        <translation>&lt;b&gt;База данных недоступна:&lt;/b&gt; %1</translation>
    </message>
    <message>
        <source>Killmails stored/s</source>
        <translation>Сохранено киллмейлов/с</translation>
    </message>
    <message>
        <source>ESI requests/s</source>
        <translation>Запросов к ESI/с</translation>
    </message>
    <message>
        <source>Rates</source>
        <translation>Скорости</translation>
    </message>
    <message>
        <source>Last 5 minutes</source>
        <translation>Последние 5 минут</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation>Последний час</translation>
    </message>
</context>
<context>
    <name>km::ui::JobModel</name>
    <message>
        <source>Finding killmails</source>
        <translation>Поиск киллмейлов</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Обработка</translation>
    </message>
    <message>
        <source>Importing</source>
        <translation>Импорт</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Отмена…</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Завершено</translation>
    </message>
    <message>
        <source>Did not finish</source>
        <translation>Не завершено</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Отменено</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/с</translation>
    </message>
    <message>
        <source>%1% (%2)</source>
        <translation>%1 % (%2)</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Тип</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Параметры</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Прогресс</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Скорость</translation>
    </message>
    <message>
        <source>ETA</source>
        <translation>Осталось</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Результат</translation>
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
        <translation>Киллмейл %1</translation>
    </message>
    <message>
        <source>Open on zKillboard</source>
        <translation>Открыть на zKillboard</translation>
    </message>
    <message>
        <source>Attackers (%1)</source>
        <translation>Атакующие (%1)</translation>
    </message>
    <message>
        <source>Items (%1)</source>
        <translation>Предметы (%1)</translation>
    </message>
    <message>
        <source>Copy as JSON</source>
        <translation>Копировать как JSON</translation>
    </message>
    <message>
        <source>System %1</source>
        <translation>Система %1</translation>
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
        <translation>&lt;h3&gt;%1 &lt;small&gt;%2&lt;/small&gt;&lt;/h3&gt;&lt;p&gt;Жертва: %3&lt;br&gt;Система: %4&lt;br&gt;Время: %5 UTC&lt;br&gt;Полученный урон: %L6&lt;br&gt;Флаги: %7&lt;/p&gt;</translation>
    </message>
    <message>
        <source>none</source>
        <translation>нет</translation>
    </message>
    <message>
        <source>Total %1 (%2) · destroyed %3 · dropped %4 · fitted %5</source>
        <translation>Всего %1 (%2) · уничтожено %3 · выпало %4 · в фите %5</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Предмет</translation>
    </message>
    <message>
        <source>Destroyed</source>
        <translation>Уничтожено</translation>
    </message>
    <message>
        <source>Dropped</source>
        <translation>Выпало</translation>
    </message>
    <message>
        <source>Flag %1</source>
        <translation>Слот %1</translation>
    </message>
    <message>
        <source>The item values cannot be read: %1</source>
        <translation>Не удаётся прочитать стоимость предметов: %1</translation>
    </message>
    <message>
        <source>%L1 × %2</source>
        <translation>%L1 × %2</translation>
    </message>
    <message>
        <source>Ship %1</source>
        <translation>Корабль %1</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Стоимость</translation>
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
        <translation>&amp;Живая лента</translation>
    </message>
    <message>
        <source>Engine &amp;health</source>
        <translation>&amp;Состояние движка</translation>
    </message>
    <message>
        <source>The engine cannot run: %1</source>
        <translation>Движок не может работать: %1</translation>
    </message>
    <message>
        <source>Engine running</source>
        <translation>Движок работает</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Выход</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Вид</translation>
    </message>
    <message>
        <source>&amp;Pause the feed</source>
        <translation>&amp;Приостановить ленту</translation>
    </message>
    <message>
        <source>Stopping: the jobs in hand finish or are given back…</source>
        <translation>Остановка: текущие задания завершаются или возвращаются…</translation>
    </message>
    <message>
        <source>The engine has stopped</source>
        <translation>Движок остановлен</translation>
    </message>
    <message>
        <source>&amp;Backfills and imports</source>
        <translation>&amp;Загрузки истории и импорт</translation>
    </message>
    <message>
        <source>Killmail Console (attached)</source>
        <translation>Killmail Console (подключена)</translation>
    </message>
    <message>
        <source>&amp;Engines</source>
        <translation>&amp;Движки</translation>
    </message>
    <message>
        <source>Attached to %1, without an engine of its own</source>
        <translation>Подключена к %1, без собственного движка</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Настройки…</translation>
    </message>
    <message>
        <source>Fail&amp;ures</source>
        <translation>&amp;Ошибки</translation>
    </message>
</context>
<context>
    <name>km::ui::Names</name>
    <message>
        <source>Character %1</source>
        <translation>Персонаж %1</translation>
    </message>
    <message>
        <source>Corporation %1</source>
        <translation>Корпорация %1</translation>
    </message>
    <message>
        <source>Faction %1</source>
        <translation>Фракция %1</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>Неизвестно</translation>
    </message>
    <message>
        <source>Alliance %1</source>
        <translation>Альянс %1</translation>
    </message>
    <message>
        <source>Type %1</source>
        <translation>Тип %1</translation>
    </message>
</context>
<context>
    <name>km::ui::QueueModel</name>
    <message>
        <source>%1 s</source>
        <translation>%1 с</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Очередь</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Ожидают</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Активны</translation>
    </message>
    <message>
        <source>Delayed</source>
        <translation>Отложены</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>С ошибкой</translation>
    </message>
    <message>
        <source>Oldest waiting</source>
        <translation>Дольше всех ждёт</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Выполнено</translation>
    </message>
    <message>
        <source>Retried</source>
        <translation>Повторено</translation>
    </message>
    <message>
        <source>Failed here</source>
        <translation>Ошибок здесь</translation>
    </message>
    <message>
        <source>Since this engine started</source>
        <translation>С запуска этого движка</translation>
    </message>
    <message>
        <source>How long the job ready longest has waited</source>
        <translation>Сколько ждёт задание, готовое дольше всех</translation>
    </message>
    <message>
        <source>In the database, as last read</source>
        <translation>В базе данных, по последнему чтению</translation>
    </message>
</context>
<context>
    <name>km::ui::RateChart</name>
    <message>
        <source>-%1 min</source>
        <translation>-%1 мин</translation>
    </message>
    <message>
        <source>no data yet</source>
        <translation>данных пока нет</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>now</source>
        <translation>сейчас</translation>
    </message>
</context>
<context>
    <name>km::ui::SettingField</name>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
</context>
<context>
    <name>km::ui::SettingsDialog</name>
    <message>
        <source>Set by %1 on the command line, which overrides the config file</source>
        <translation>Задано параметром %1 в командной строке, который важнее файла настроек</translation>
    </message>
    <message>
        <source>Set by the environment variable %1, which overrides the config file</source>
        <translation>Задано переменной окружения %1, которая важнее файла настроек</translation>
    </message>
    <message>
        <source>From the config file</source>
        <translation>Из файла настроек</translation>
    </message>
    <message>
        <source>Default (not in the config file)</source>
        <translation>По умолчанию (нет в файле настроек)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>The settings are kept in %1, which the command line and --headless read too. A flag or an environment variable overrides the file. The running engine keeps the settings it started with: changes apply when the console is started again (none can be applied while it runs); commands read the file each time they run.</source>
        <translation>Настройки хранятся в %1, который читают и командная строка, и --headless. Параметр командной строки или переменная окружения важнее файла. Работающий движок сохраняет настройки, с которыми запущен: изменения вступают в силу при следующем запуске консоли (на ходу их применить нельзя); команды читают файл при каждом запуске.</translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation>Пере&amp;читать</translation>
    </message>
    <message>
        <source>%1
Flag: --%2 · environment: %3 · config file: %4</source>
        <translation>%1
Параметр: --%2 · окружение: %3 · файл настроек: %4</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>&amp;Проверить подключение</translation>
    </message>
    <message>
        <source>The settings cannot be read: %1</source>
        <translation>Не удаётся прочитать настройки: %1</translation>
    </message>
    <message>
        <source>Not saved: %1 is refused (%2).</source>
        <translation>Не сохранено: %1 не принято (%2).</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Ничего не изменено.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation>Не сохранено: %1</translation>
    </message>
    <message>
        <source>Saved to %1. The running engine already uses these values.</source>
        <translation>Сохранено в %1. Работающий движок уже использует эти значения.</translation>
    </message>
    <message>
        <source>Saved to %1. Restart needed: the running engine keeps its settings for %2.</source>
        <translation>Сохранено в %1. Нужен перезапуск: работающий движок сохраняет прежние значения для %2.</translation>
    </message>
    <message>
        <source>Cannot connect: %1</source>
        <translation>Не удаётся подключиться: %1</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Подключение к %1…</translation>
    </message>
</context>
<context>
    <name>km::ui::SourceModel</name>
    <message>
        <source>stopped</source>
        <translation>остановлен</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>запускается</translation>
    </message>
    <message>
        <source>running</source>
        <translation>работает</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>ожидает</translation>
    </message>
    <message>
        <source>backing off until %1</source>
        <translation>пауза до %1</translation>
    </message>
    <message>
        <source>backing off</source>
        <translation>пауза</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>завершён</translation>
    </message>
    <message>
        <source>At %1</source>
        <translation>В %1</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation>%1/с</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Источник</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Rate</source>
        <translation>Скорость</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Получено</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Новых</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation>Ошибок</translation>
    </message>
    <message>
        <source>Last kill</source>
        <translation>Последний килл</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Где</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Последняя ошибка</translation>
    </message>
    <message>
        <source>Stop %1: its waits and requests end now</source>
        <translation>Остановить %1: ожидания и запросы прерываются сразу</translation>
    </message>
    <message>
        <source>Start %1 again, from where it stopped</source>
        <translation>Снова запустить %1 с того места, где он остановился</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Остановить</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Запустить</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Действие</translation>
    </message>
</context>
<context>
    <name>km::ui::TrayIcon</name>
    <message>
        <source>Hide the window</source>
        <translation>Скрыть окно</translation>
    </message>
    <message>
        <source>Pause the feed</source>
        <translation>Приостановить ленту</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>Show the window</source>
        <translation>Показать окно</translation>
    </message>
    <message>
        <source>Killmail Console: %1 killmails/s</source>
        <translation>Killmail Console: %1 киллмейлов/с</translation>
    </message>
    <message>
        <source>Failure alert: %1</source>
        <translation>Тревога об ошибках: %1</translation>
    </message>
    <message>
        <source>Database unavailable: %1</source>
        <translation>База данных недоступна: %1</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Commands:</source>
        <translation>Команды:</translation>
    </message>
    <message>
        <source>Run &apos;killmail-console COMMAND --help&apos; for a command&apos;s options.</source>
        <translation>&apos;killmail-console КОМАНДА --help&apos; покажет параметры команды.</translation>
    </message>
    <message>
        <source>Killmail Console</source>
        <translation>Killmail Console</translation>
    </message>
    <message>
        <source>The engine cannot start: %1</source>
        <translation>Движок не может запуститься: %1</translation>
    </message>
    <message>
        <source>Ingests EVE Online killmails, values and flags them as zKillboard does, and stores them.</source>
        <translation>Принимает киллмейлы EVE Online, оценивает и помечает их так же, как zKillboard, и сохраняет.</translation>
    </message>
    <message>
        <source>Log informational messages too.</source>
        <translation>Записывать в журнал и информационные сообщения.</translation>
    </message>
    <message>
        <source>Run the engine without a window.</source>
        <translation>Запустить движок без окна.</translation>
    </message>
    <message>
        <source>A subcommand (see below); none opens the console.</source>
        <translation>Подкоманда (см. ниже); без неё открывается консоль.</translation>
    </message>
    <message>
        <source>Open the console without an engine of its own, attached to the --headless engines that share the database.</source>
        <translation>Открыть консоль без собственного движка, подключившись к движкам --headless с общей базой данных.</translation>
    </message>
</context>
</TS>
