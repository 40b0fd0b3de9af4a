#include "net/asio.h"
#include "net/timedsocket.h"

#include <QTest>

#include <atomic>
#include <chrono>

using namespace proclab;
using boost::asio::ip::tcp;
using proclab::migration::TimedSocket;

class TestTimedSocket : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void connectsToANumericAddressWithoutALookup();
    void aStopEndsALookupAtOnce();
    void aNameThatDoesNotResolveIsAClearError();
    void nobodyListeningIsAClearError();
};

void TestTimedSocket::connectsToANumericAddressWithoutALookup()
{
    boost::asio::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();
    for (const char *host : {"127.0.0.1", "localhost"}) {
        TimedSocket conn;
        QString error;
        QVERIFY2(conn.connect(host, port, std::chrono::seconds(5), &error), qPrintable(error));
        QVERIFY(error.isEmpty());
    }
}

void TestTimedSocket::aStopEndsALookupAtOnce()
{
    // A name needs the resolver; a stop requested before it answers ends the wait, named.
    std::atomic<bool> stop {true};
    TimedSocket conn([&] { return stop.load(); });
    QString error;
    const auto t0 = std::chrono::steady_clock::now();
    QVERIFY(!conn.connect("proclab-test.invalid", 80, std::chrono::seconds(30), &error));
    QVERIFY2(
        error.contains(QStringLiteral("stopped while looking up proclab-test.invalid")), qPrintable(error));
    // Far below the 30 s deadline (no timing threshold: only that the deadline was not waited for).
    QVERIFY(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(30));
}

void TestTimedSocket::aNameThatDoesNotResolveIsAClearError()
{
    // ".invalid" never resolves (RFC 6761): either the resolver says so or the deadline passes.
    TimedSocket conn;
    QString error;
    QVERIFY(!conn.connect("proclab-test.invalid", 80, std::chrono::seconds(20), &error));
    QVERIFY2(error.contains(QStringLiteral("cannot resolve proclab-test.invalid"))
            || error.contains(QStringLiteral("while looking up proclab-test.invalid")),
        qPrintable(error));
}

void TestTimedSocket::nobodyListeningIsAClearError()
{
    std::uint16_t port = 0;
    {
        boost::asio::io_context io;
        tcp::acceptor acceptor(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
        port = acceptor.local_endpoint().port();
    }
    TimedSocket conn;
    QString error;
    QVERIFY(!conn.connect("127.0.0.1", port, std::chrono::seconds(5), &error));
    QVERIFY2(error.contains(QStringLiteral("cannot connect to 127.0.0.1:%1").arg(port)), qPrintable(error));
}

QTEST_APPLESS_MAIN(TestTimedSocket)
#include "tst_timedsocket.moc"
