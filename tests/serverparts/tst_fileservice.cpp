#include "helpermain.h"

#include "serverparts/blockcache.h"
#include "serverparts/fileserviceexperiment.h"
#include "serverparts/filestore.h"
#include "serverparts/statefulfileclient.h"
#include "serverparts/statefulfileserver.h"
#include "serverparts/statelessfileclient.h"
#include "serverparts/statelessfileserver.h"
#include "serverparts/tcpsocket.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <map>
#include <set>

#include <sys/stat.h>
#include <unistd.h>

using namespace proclab;

class TestFileService : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void blockCacheEvictsLeastRecentlyUsed();
    void fileStoreStaysInItsDirectory();
    void fileStoreVersionsGrow();
    void hitRatesComputedASecondWay_data();
    void hitRatesComputedASecondWay();
    void restartStatefulRebuildsStatelessCarriesOn();
    void statefulRestartMakesHandlesStale();
    void invalidationReachesTheOtherClient_data();
    void invalidationReachesTheOtherClient();
    void leaseRunsOutThenRenew();
    void statelessMalformedInputThenGoodRequest();
    void statefulMalformedInputThenGoodRequest();
};

namespace {

constexpr int kTimeoutMs = 10000;

// Sends raw bytes on @p s and reads one answer line.
std::string ask(TcpSocket &s, const std::string &bytes)
{
    QString error;
    if (s.writeAll(bytes, kTimeoutMs, nullptr, &error) != IoStatus::Ok)
        return "(send failed)";
    std::string line;
    const IoStatus st = s.readLine(&line, 4096, kTimeoutMs, nullptr, &error);
    return st == IoStatus::Ok ? line : "(" + ioStatusText(st).toStdString() + ")";
}

/// The expected counts of a run, from a plain model of the policies (no sockets,
/// no threads): the "second way" the measured counters are checked against.
struct ModelCounts {
    std::int64_t clientHits = 0, clientMisses = 0, validations = 0, staleCopies = 0;
    std::int64_t serverHits = 0, serverMisses = 0, prefetches = 0, callbacks = 0;
};

ModelCounts model(const FileServiceExperimentConfig &c, bool stateful)
{
    ModelCounts m;
    std::set<std::pair<int, int>> client, server;
    std::map<int, int> version, clientVersion;
    const int half = c.fileCount * c.fileBlocks / 2;
    for (int pass = 0; pass < c.passes; ++pass) {
        for (int op = 0; op < c.fileCount * c.fileBlocks; ++op) {
            if (op == half && c.write && pass == c.writePass) {
                ++version[0];
                for (int b = 0; b < c.fileBlocks; ++b)
                    server.erase({0, b});
                if (stateful) {
                    bool held = false;
                    for (int b = 0; b < c.fileBlocks; ++b)
                        held = client.erase({0, b}) > 0 || held;
                    m.callbacks += 1; // the reader holds a lease on file 0 from its earlier reads
                    (void)held;
                }
            }
            const int f = op / c.fileBlocks, b = op % c.fileBlocks;
            if (client.count({f, b})) {
                if (!stateful) {
                    ++m.validations;
                    if (clientVersion[f] != version[f]) {
                        ++m.staleCopies;
                        for (int k = 0; k < c.fileBlocks; ++k)
                            client.erase({f, k});
                    }
                }
                if (client.count({f, b})) {
                    ++m.clientHits;
                    continue;
                }
            }
            ++m.clientMisses;
            if (server.count({f, b})) {
                ++m.serverHits;
            } else {
                ++m.serverMisses;
                server.insert({f, b});
            }
            if (stateful && c.server.readAhead && b + 1 < c.fileBlocks && !server.count({f, b + 1})) {
                server.insert({f, b + 1});
                ++m.prefetches;
            }
            client.insert({f, b});
            clientVersion[f] = version[f];
        }
    }
    return m;
}

} // namespace

void TestFileService::blockCacheEvictsLeastRecentlyUsed()
{
    BlockCache cache(3);
    cache.put("a", 0, "A0", 1);
    cache.put("a", 1, "A1", 1);
    cache.put("b", 0, "B0", 7);
    QVERIFY(cache.find("a", 0)); // now a/0 is the most recent
    cache.put("b", 1, "B1", 7); // evicts a/1, the least recently used
    QVERIFY(!cache.contains("a", 1));
    QVERIFY(cache.contains("a", 0));
    QCOMPARE(cache.evictions(), std::int64_t(1));
    QCOMPARE(cache.countOf("b"), std::size_t(2));
    cache.put("b", 1, "B1'", 8);
    QCOMPARE(cache.dropOtherVersions("b", 8), std::size_t(1));
    QCOMPARE(cache.find("b", 1)->data, std::string("B1'"));
    QCOMPARE(cache.dropFile("b"), std::size_t(1));
    QCOMPARE(cache.size(), std::size_t(1));
}

void TestFileService::fileStoreStaysInItsDirectory()
{
    FileStore store;
    FileStoreConfig config;
    config.fileCount = 2;
    config.fileBytes = 10000;
    QString error;
    QVERIFY2(store.create(config, &error), qPrintable(error));
    QCOMPARE(store.fileNames(), (std::vector<std::string> {"f0.dat", "f1.dat"}));
    std::string data, why;
    FileInfo info;
    QVERIFY(store.read("f1.dat", 100, 50, &data, &info, &why));
    QCOMPARE(data, FileStore::generatedContent(config.seed, 1, 10000).substr(100, 50));
    QCOMPARE(info.sizeBytes, std::int64_t(10000));

    // Names that would leave the directory, and things planted in it.
    const QByteArray dir = QFile::encodeName(store.directory());
    QVERIFY(::symlink("/etc/passwd", (dir + "/link.dat").constData()) == 0);
    QVERIFY(::mkdir((dir + "/sub").constData(), 0700) == 0);
    const std::vector<std::pair<std::string, std::string>> refused = {
        {"../f0.dat", "bad file name: a file name is made of A-Z a-z 0-9 . _ - only (no '/')"},
        {"/etc/passwd", "bad file name: a file name is made of A-Z a-z 0-9 . _ - only (no '/')"},
        {"..", "bad file name: a file name may not start with '.'"},
        {"", "bad file name: a file name has 1-64 characters"},
        {"link.dat", "'link.dat' is a symbolic link"},
        {"sub", "'sub' is not a regular file"},
        {"nothere.dat", "no such file 'nothere.dat'"},
    };
    for (const auto &[name, message] : refused) {
        QVERIFY2(!store.read(name, 0, 10, &data, &info, &why), name.c_str());
        QCOMPARE(QString::fromStdString(why), QString::fromStdString(message));
    }
    // Writes only overwrite bytes inside the file.
    QVERIFY(!store.write("f0.dat", 9995, std::string(10, 'x'), &info, &why));
    QCOMPARE(QString::fromStdString(why), QStringLiteral("a write must lie inside 'f0.dat' (10000 bytes)"));
    ::rmdir((dir + "/sub").constData());
}

void TestFileService::fileStoreVersionsGrow()
{
    FileStore store;
    FileStoreConfig config;
    config.fileCount = 1;
    config.fileBytes = 100;
    QString error;
    QVERIFY2(store.create(config, &error), qPrintable(error));
    FileInfo before, a, b;
    std::string why;
    QVERIFY(store.stat("f0.dat", &before, &why));
    // Two writes in quick succession (within one clock tick) still get two versions.
    QVERIFY(store.write("f0.dat", 0, "xy", &a, &why));
    QVERIFY(store.write("f0.dat", 0, "zw", &b, &why));
    QVERIFY(a.version > before.version);
    QVERIFY(b.version > a.version);
    FileInfo now;
    QVERIFY(store.stat("f0.dat", &now, &why));
    QCOMPARE(now.version, b.version);
    std::string all;
    QVERIFY(store.readAll("f0.dat", &all, &why));
    QCOMPARE(all.substr(0, 2), std::string("zw"));
}

void TestFileService::hitRatesComputedASecondWay_data()
{
    QTest::addColumn<bool>("write");
    QTest::newRow("read only") << false;
    QTest::newRow("with a write") << true;
}

void TestFileService::hitRatesComputedASecondWay()
{
    QFETCH(bool, write);
    FileServiceExperimentConfig c;
    c.fileCount = 2;
    c.fileBlocks = 8;
    c.blockBytes = 1024;
    c.passes = 3;
    c.write = write;
    c.writePass = 1;
    c.restart = false;
    c.clientThinkUs = 0;
    c.connectionModes = false;
    c.server.diskDelayUs = 100;
    c.server.leaseMs = 600000; // no lease runs out during the test, however slow the machine
    FileServiceExperiment experiment(c);
    const FileServiceExperimentResult r = experiment.run();
    QVERIFY2(r.ok, qPrintable(r.error));
    for (const FileServiceRun *run : {&r.stateful, &r.stateless}) {
        const bool stateful = run == &r.stateful;
        const ModelCounts m = model(c, stateful);
        const auto &cl = run->reader;
        QVERIFY2(run->dataMatches, qPrintable(run->dataCheck));
        QCOMPARE(cl.reads, std::int64_t(c.passes * c.fileCount * c.fileBlocks));
        QCOMPARE(cl.clientHits + cl.clientMisses, cl.reads);
        // The client's counters against the model.
        QCOMPARE(cl.clientHits, m.clientHits);
        QCOMPARE(cl.clientMisses, m.clientMisses);
        QCOMPARE(cl.validations, m.validations);
        // What the server reported per reply, the server's own counters and the model agree.
        QCOMPARE(cl.serverHits, m.serverHits);
        QCOMPARE(cl.serverMisses, m.serverMisses);
        QCOMPARE(run->server.cacheHits, m.serverHits);
        QCOMPARE(run->server.cacheMisses, m.serverMisses);
        QCOMPARE(run->server.prefetches, m.prefetches);
        QCOMPARE(run->server.prefetchHits, stateful ? m.serverHits : 0);
        QCOMPARE(cl.callbacks, m.callbacks);
        // Hit rates are the counters' ratios.
        QCOMPARE(run->clientHitRate, static_cast<double>(m.clientHits) / static_cast<double>(cl.reads));
        QCOMPARE(run->serverHitRate,
            static_cast<double>(m.serverHits) / static_cast<double>(m.serverHits + m.serverMisses));
        // Requests: stateful = HELLO, CALLBACK, one OPEN per file, a READ per miss;
        // stateless = a READ per miss and a STAT per cached copy used.
        if (stateful)
            QCOMPARE(cl.requests, 2 + c.fileCount + m.clientMisses);
        else
            QCOMPARE(cl.requests, m.clientMisses + m.validations);
        QCOMPARE(cl.failedRequests, std::int64_t(0));
        QVERIFY(run->rebuilds.empty());
    }
    // The shape the slides predict: read-ahead gives the stateful server hits on
    // the first pass, the stateless one none; leases save the stateless STATs.
    QVERIFY(r.stateful.serverHitRate > r.stateless.serverHitRate);
    QVERIFY(r.stateful.reader.requests < r.stateless.reader.requests);
}

void TestFileService::restartStatefulRebuildsStatelessCarriesOn()
{
    FileServiceExperimentConfig c;
    c.fileCount = 3;
    c.fileBlocks = 6;
    c.blockBytes = 2048;
    c.passes = 3;
    c.write = true;
    c.writePass = 1;
    c.restart = true;
    c.restartPass = 2;
    c.clientThinkUs = 0;
    c.server.diskDelayUs = 50;
    c.server.leaseMs = 600000;
    FileServiceExperiment experiment(c);
    const FileServiceExperimentResult r = experiment.run();
    QVERIFY2(r.ok, qPrintable(r.error));

    // Stateful: the restart cost the session; the client rebuilt it once.
    const FileServiceRun &sf = r.stateful;
    QVERIFY2(sf.dataMatches, qPrintable(sf.dataCheck));
    QCOMPARE(sf.wrongReads, std::int64_t(0));
    QCOMPARE(sf.rebuilds.size(), std::size_t(1));
    const FileClientRebuild &rb = sf.rebuilds[0];
    QVERIFY(rb.serverRestarted);
    QCOMPARE(rb.lostHandles, c.fileCount); // every file had been opened before the restart
    QCOMPARE(rb.reopened, c.fileCount);
    QCOMPARE(rb.droppedBlocks, 0); // nothing changed across the restart: every cached block is still current
    QVERIFY(rb.keptBlocks > 0);
    QCOMPARE(sf.reader.rebuilds, std::int64_t(1));
    QCOMPARE(sf.reader.failedRequests, std::int64_t(1));
    QVERIFY(sf.restartNotes.join(QLatin1Char(' ')).contains(QStringLiteral("handles were stale")));
    // The timeline shows restart, then the rebuild, then reads again.
    int restart = -1, rebuild = -1, readAfter = -1;
    for (int i = 0; i < static_cast<int>(sf.events.size()); ++i) {
        const auto &e = sf.events[i];
        if (restart < 0 && e.kind == QLatin1String("restart"))
            restart = i;
        if (restart >= 0 && rebuild < 0 && e.kind == QLatin1String("rebuild"))
            rebuild = i;
        if (rebuild >= 0 && readAfter < 0 && e.kind == QLatin1String("read")
            && e.actor == QLatin1String("reader"))
            readAfter = i;
    }
    QVERIFY(restart >= 0 && rebuild > restart && readAfter > rebuild);

    // Stateless: one request lost with the connection, sent again; nothing rebuilt.
    const FileServiceRun &sl = r.stateless;
    QVERIFY2(sl.dataMatches, qPrintable(sl.dataCheck));
    QCOMPARE(sl.wrongReads, std::int64_t(0));
    QVERIFY(sl.rebuilds.empty());
    QCOMPARE(sl.reader.failedRequests, std::int64_t(1));
    QCOMPARE(sl.reader.retries, std::int64_t(1));
    QCOMPARE(sl.reader.reads, std::int64_t(c.passes * c.fileCount * c.fileBlocks));

    // Connection-oriented stateless: one connection breaks at the restart (one
    // failed request, one new connection); a connection per request never notices.
    QCOMPARE(r.connectionModes.size(), std::size_t(2));
    const FileServiceRun &one = r.connectionModes[0];
    const FileServiceRun &each = r.connectionModes[1];
    for (const FileServiceRun *run : {&one, &each}) {
        QVERIFY2(run->dataMatches, qPrintable(run->dataCheck));
        QCOMPARE(run->reader.clientHits, std::int64_t(0)); // no client cache here: every read is a request
        QCOMPARE(run->reader.requests, run->reader.reads + run->reader.retries);
    }
    QCOMPARE(one.reader.failedRequests, std::int64_t(1));
    QCOMPARE(one.reader.connectionsOpened, std::int64_t(2));
    QCOMPARE(each.reader.failedRequests, std::int64_t(0));
    QCOMPARE(each.reader.connectionsOpened, each.reader.requests);
}

void TestFileService::statefulRestartMakesHandlesStale()
{
    FileStore store;
    FileStoreConfig fc;
    fc.fileCount = 1;
    fc.fileBytes = 8192;
    QString error;
    QVERIFY2(store.create(fc, &error), qPrintable(error));
    Timeline timeline;
    StatefulFileServer server(store, {}, &timeline);
    QVERIFY2(server.start(&error), qPrintable(error));
    const std::uint16_t port = server.port();
    const std::int64_t epoch1 = server.epoch();
    std::string handle;
    {
        TcpSocket s = TcpSocket::connectLoopback(port, kTimeoutMs, nullptr, &error);
        QVERIFY(ask(s, "HELLO\n").rfind("WELCOME 1 " + std::to_string(epoch1), 0) == 0);
        const std::string opened = ask(s, "OPEN f0.dat\n");
        QVERIFY2(opened.rfind("OPENED ", 0) == 0, opened.c_str());
        handle = opened.substr(7, opened.find(' ', 7) - 7);
        QCOMPARE(server.openFiles().size(), std::size_t(1));
        QCOMPARE(server.openFiles()[0].name, QStringLiteral("f0.dat"));
        // The server restarts while this client holds its handle.
        server.stop();
        QCOMPARE(ask(s, "READ " + handle + " 0 100\n"), std::string("(connection closed by the peer)"));
    }
    QVERIFY2(server.start(&error, port), qPrintable(error));
    QVERIFY(server.epoch() != epoch1);
    QCOMPARE(server.openFiles().size(), std::size_t(0));
    TcpSocket s = TcpSocket::connectLoopback(port, kTimeoutMs, nullptr, &error);
    const std::string welcome = ask(s, "HELLO\n");
    QVERIFY(welcome.find(" " + std::to_string(server.epoch()) + " ") != std::string::npos);
    QCOMPARE(ask(s, "READ " + handle + " 0 100\n"), "ERROR stale handle " + handle);
    QCOMPARE(server.stats().staleHandles, std::int64_t(1));
    // Rebuilt: open again, read, same bytes as the file.
    const std::string opened = ask(s, "OPEN f0.dat\n");
    const std::string fresh = opened.substr(7, opened.find(' ', 7) - 7);
    const std::string data = ask(s, "READ " + fresh + " 0 100\n");
    QVERIFY2(data.rfind("DATA 100 ", 0) == 0, data.c_str());
    std::string bytes;
    QCOMPARE(s.readExact(&bytes, 100, kTimeoutMs, nullptr, &error), IoStatus::Ok);
    QCOMPARE(bytes, FileStore::generatedContent(fc.seed, 0, 8192).substr(0, 100));
    server.stop();
}

void TestFileService::invalidationReachesTheOtherClient_data()
{
    QTest::addColumn<bool>("stateful");
    QTest::newRow("stateful: callback") << true;
    QTest::newRow("stateless: validation") << false;
}

void TestFileService::invalidationReachesTheOtherClient()
{
    QFETCH(bool, stateful);
    FileStore store;
    FileStoreConfig fc;
    fc.fileCount = 1;
    fc.fileBytes = 4096 * 2;
    QString error;
    QVERIFY2(store.create(fc, &error), qPrintable(error));
    FileServerConfig sc;
    sc.leaseMs = 600000;
    StatefulFileServer sfServer(store, sc);
    StatelessFileServer slServer(store, sc);
    QVERIFY(stateful ? sfServer.start(&error) : slServer.start(&error));
    FileClientConfig cc;
    cc.port = stateful ? sfServer.port() : slServer.port();
    const std::string original = FileStore::generatedContent(fc.seed, 0, fc.fileBytes).substr(0, 4096);
    const std::string changed(4096, 'N');
    std::string data;
    std::unique_ptr<StatefulFileClient> sfReader, sfWriter;
    std::unique_ptr<StatelessFileClient> slReader, slWriter;
    if (stateful) {
        sfReader = std::make_unique<StatefulFileClient>(cc);
        sfWriter = std::make_unique<StatefulFileClient>(cc);
        QVERIFY(sfReader->readBlock("f0.dat", 0, &data, &error));
        QCOMPARE(data, original);
        QVERIFY(sfReader->readBlock("f0.dat", 0, &data, &error)); // from the cache, under the lease
        QCOMPARE(sfReader->stats().clientHits, std::int64_t(1));
        QVERIFY2(sfWriter->writeBlock("f0.dat", 0, changed, &error), qPrintable(error));
        // The WRITE completed only after the reader acknowledged: its copy is gone already.
        QCOMPARE(sfReader->stats().callbacks, std::int64_t(1));
        QVERIFY(sfReader->readBlock("f0.dat", 0, &data, &error));
        QCOMPARE(data, changed);
        QCOMPARE(sfReader->stats().clientMisses, std::int64_t(2));
        const auto s = sfServer.stats();
        QCOMPARE(s.callbacks, std::int64_t(1));
        QCOMPARE(s.callbacksAcked, std::int64_t(1));
        QCOMPARE(s.leaseWaits, std::int64_t(0));
        sfReader->close();
        sfWriter->close();
    } else {
        slReader = std::make_unique<StatelessFileClient>(cc);
        slWriter = std::make_unique<StatelessFileClient>(cc);
        QVERIFY(slReader->readBlock("f0.dat", 0, &data, &error));
        QCOMPARE(data, original);
        QVERIFY(slReader->readBlock("f0.dat", 0, &data, &error)); // cached, validated by STAT
        QCOMPARE(slReader->stats().clientHits, std::int64_t(1));
        QVERIFY2(slWriter->writeBlock("f0.dat", 0, changed, &error), qPrintable(error));
        QVERIFY(slReader->readBlock("f0.dat", 0, &data, &error));
        QCOMPARE(data, changed);
        const auto st = slReader->stats();
        QCOMPARE(st.staleCopies, std::int64_t(1));
        QCOMPARE(st.validations, std::int64_t(2));
        QCOMPARE(st.callbacks, std::int64_t(0));
    }
}

void TestFileService::leaseRunsOutThenRenew()
{
    FileStore store;
    FileStoreConfig fc;
    fc.fileCount = 1;
    fc.fileBytes = 4096;
    QString error;
    QVERIFY2(store.create(fc, &error), qPrintable(error));
    FileServerConfig sc;
    sc.leaseMs = 1;
    StatefulFileServer server(store, sc);
    QVERIFY2(server.start(&error), qPrintable(error));
    FileClientConfig cc;
    cc.port = server.port();
    StatefulFileClient client(cc);
    std::string first, again;
    QVERIFY2(client.readBlock("f0.dat", 0, &first, &error), qPrintable(error));
    QTest::qSleep(20); // the 1 ms lease has certainly run out
    QVERIFY2(client.readBlock("f0.dat", 0, &again, &error), qPrintable(error));
    QCOMPARE(again, first);
    const FileClientStats st = client.stats();
    // The copy was kept, but only after asking the server (RENEW): a hit with one message.
    QCOMPARE(st.clientHits, std::int64_t(1));
    QCOMPARE(st.clientMisses, std::int64_t(1));
    QCOMPARE(st.validations, std::int64_t(1));
    QCOMPARE(st.staleCopies, std::int64_t(0));
    client.close();
    server.stop();
}

void TestFileService::statelessMalformedInputThenGoodRequest()
{
    FileStore store;
    FileStoreConfig fc;
    fc.fileCount = 1;
    fc.fileBytes = 5000;
    QString error;
    QVERIFY2(store.create(fc, &error), qPrintable(error));
    const QByteArray dir = QFile::encodeName(store.directory());
    QVERIFY(::symlink("/etc/hostname", (dir + "/out.dat").constData()) == 0);
    StatelessFileServer server(store);
    QVERIFY2(server.start(&error), qPrintable(error));
    TcpSocket s = TcpSocket::connectLoopback(server.port(), kTimeoutMs, nullptr, &error);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"\n", "ERROR unknown request '' (READ, STAT, WRITE)"},
        {"GET / HTTP/1.0\n", "ERROR unknown request 'GET' (READ, STAT, WRITE)"},
        {std::string("\x00\x01\xff junk\n", 9), "ERROR unknown request '\?\?\?' (READ, STAT, WRITE)"},
        {"STAT\n", "ERROR wrong number of arguments to STAT"},
        {"READ ../../etc/passwd 0 10\n",
            "ERROR bad file name: a file name is made of A-Z a-z 0-9 . _ - only (no '/')"},
        {"READ out.dat 0 10\n", "ERROR 'out.dat' is a symbolic link"},
        {"READ f0.dat -1 10\n", "ERROR offset and length must be whole numbers >= 0"},
        {"READ f0.dat 0 99999999\n", "ERROR at most 65536 bytes per READ"},
        {"READ f0.dat 6000 10\n", "ERROR offset 6000 is outside 'f0.dat' (5000 bytes)"},
        {"READ f0.dat 1e3 10\n", "ERROR offset and length must be whole numbers >= 0"},
        {"WRITE f0.dat 4990 20\n" + std::string(20, 'x'),
            "ERROR a write must lie inside 'f0.dat' (5000 bytes)"},
    };
    for (const auto &[request, answer] : cases)
        QCOMPARE(QString::fromStdString(ask(s, request)), QString::fromStdString(answer));
    // Good requests on the same connection still work.
    QVERIFY(ask(s, "STAT f0.dat\n").rfind("STAT 5000 ", 0) == 0);
    // A WRITE too large to skip: error, then the server ends that connection.
    QCOMPARE(ask(s, "WRITE f0.dat 0 99999999\n"), std::string("ERROR a WRITE carries 0-65536 bytes"));
    std::string line;
    QCOMPARE(s.readLine(&line, 4096, kTimeoutMs, nullptr, &error), IoStatus::Closed);
    // An endless line: error and close.
    TcpSocket t = TcpSocket::connectLoopback(server.port(), kTimeoutMs, nullptr, &error);
    QCOMPARE(ask(t, std::string(10000, 'R')), std::string("ERROR request line longer than 256 bytes"));
    // Then a good request on a new connection.
    TcpSocket u = TcpSocket::connectLoopback(server.port(), kTimeoutMs, nullptr, &error);
    QCOMPARE(ask(u, "READ f0.dat 4990 100\n").substr(0, 8), std::string("DATA 10 "));
    std::string bytes;
    QCOMPARE(u.readExact(&bytes, 10, kTimeoutMs, nullptr, &error), IoStatus::Ok);
    QCOMPARE(bytes, FileStore::generatedContent(fc.seed, 0, 5000).substr(4990));
    server.stop();
    QVERIFY(server.stats().errors >= 13);
}

void TestFileService::statefulMalformedInputThenGoodRequest()
{
    FileStore store;
    FileStoreConfig fc;
    fc.fileCount = 1;
    fc.fileBytes = 5000;
    QString error;
    QVERIFY2(store.create(fc, &error), qPrintable(error));
    FileServerConfig sc;
    sc.maxHandlesPerClient = 2;
    StatefulFileServer server(store, sc);
    QVERIFY2(server.start(&error), qPrintable(error));
    TcpSocket s = TcpSocket::connectLoopback(server.port(), kTimeoutMs, nullptr, &error);
    QCOMPARE(ask(s, "OPEN f0.dat\n"),
        std::string("ERROR say HELLO first (or CALLBACK <client id> on a second connection)"));
    QCOMPARE(ask(s, "CALLBACK x\n"),
        std::string("ERROR say HELLO first (or CALLBACK <client id> on a second connection)"));
    QVERIFY(ask(s, "HELLO\n").rfind("WELCOME ", 0) == 0);
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"HELLO\n", "ERROR this connection already has a session (client 1)"},
        {"READ 42 0 10\n", "ERROR stale handle 42"},
        {"READ x 0 10\n", "ERROR handle, offset and length must be whole numbers >= 0"},
        {"CLOSE 7\n", "ERROR stale handle 7"},
        {"OPEN ../f0.dat\n", "ERROR bad file name: a file name is made of A-Z a-z 0-9 . _ - only (no '/')"},
        {"OPEN\n", "ERROR wrong number of arguments to OPEN"},
        {"FETCH 1\n", "ERROR unknown request 'FETCH' (OPEN, READ, WRITE, RENEW, CLOSE, BYE)"},
    };
    for (const auto &[request, answer] : cases)
        QCOMPARE(QString::fromStdString(ask(s, request)), QString::fromStdString(answer));
    // The open-file table is bounded per client.
    QVERIFY(ask(s, "OPEN f0.dat\n").rfind("OPENED ", 0) == 0);
    const std::string second = ask(s, "OPEN f0.dat\n");
    QVERIFY(second.rfind("OPENED ", 0) == 0);
    QCOMPARE(ask(s, "OPEN f0.dat\n"), std::string("ERROR too many open files (2)"));
    // A callback channel for a client that does not exist.
    TcpSocket cb = TcpSocket::connectLoopback(server.port(), kTimeoutMs, nullptr, &error);
    QCOMPARE(ask(cb, "CALLBACK 999\n"), std::string("ERROR no session for client 999"));
    // And good requests still work.
    const std::string h = second.substr(7, second.find(' ', 7) - 7);
    QVERIFY(ask(s, "READ " + h + " 0 16\n").rfind("DATA 16 ", 0) == 0);
    std::string bytes;
    QCOMPARE(s.readExact(&bytes, 16, kTimeoutMs, nullptr, &error), IoStatus::Ok);
    QCOMPARE(bytes, FileStore::generatedContent(fc.seed, 0, 5000).substr(0, 16));
    QCOMPARE(ask(s, "CLOSE " + h + "\n"), "CLOSED " + h);
    QCOMPARE(ask(s, "BYE\n"), std::string("BYE"));
    std::string line;
    QCOMPARE(s.readLine(&line, 4096, kTimeoutMs, nullptr, &error), IoStatus::Closed);
    // The session went with the connection.
    for (int i = 0; i < 500 && server.sessions() != 0; ++i)
        QTest::qSleep(10);
    QCOMPARE(server.sessions(), 0);
    server.stop();
}

PROCLAB_TEST_MAIN_WITH_HELPERS(TestFileService)
#include "tst_fileservice.moc"
