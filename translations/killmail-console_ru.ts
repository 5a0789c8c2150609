<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
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
</context>
<context>
    <name>EngineOptions</name>
    <message>
        <source>the value holds the control character U+%1</source>
        <translation>значение содержит управляющий символ U+%1</translation>
    </message>
    <message>
        <source>&apos;%1&apos; names no live feed (say none to switch them off)</source>
        <translation>&apos;%1&apos; — не живая лента (none отключает все)</translation>
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
        <source>Ship, victim, system, region, source or ID</source>
        <translation>Корабль, жертва, система, регион, источник или ID</translation>
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
</context>
</TS>
