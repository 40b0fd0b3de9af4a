#include "protocolsdiagram.h"

#include <algorithm>

namespace proclab {

ProtocolsDiagram::ProtocolsDiagram(int applications)
    : m_applications(std::clamp(applications, 1, 6))
{
    using L = ProtocolsFrame;
    const auto frame
        = [&](const QString &caption, ProtocolsFrame::Side a, ProtocolsFrame::Side b, int apps = 1) {
              ProtocolsFrame f;
              f.caption = caption;
              f.sides = {a, b};
              f.applicationsShown = apps;
              m_frames.push_back(f);
          };
    const QString mine = QStringLiteral("LIST 2024-05-07\\n");
    const QString call = QStringLiteral("agenda.list(\"2024-05-07\")");
    const QString marshalled = QStringLiteral("[call 7 | op 2 | len 10 | \"2024-05-07\"]");
    frame(QStringLiteral("Two clients ask a calendar server for a day's appointments. Left: the application "
                         "speaks its own protocol. Right: it calls middleware, which has one protocol for "
                         "every application."),
        {}, {});
    frame(QStringLiteral("Left: the client application itself writes the request in a format its programmers "
                         "invented. Right: the application just calls a procedure of the middleware."),
        {0, L::Application, mine}, {0, L::Application, call});
    frame(QStringLiteral("Right: the middleware turns the call into its own, application-independent message "
                         "(marshalling). Left there is no such layer: the bytes go straight to the OS."),
        {0, L::LocalOs, mine}, {0, L::Middleware, marshalled});
    frame(QStringLiteral("Both requests are handed to the local operating system's transport."),
        {0, L::LocalOs, mine}, {0, L::LocalOs, marshalled});
    frame(
        QStringLiteral("On the network both are just bytes. Only the receiving side knows how to read them."),
        {0, L::Network, mine}, {0, L::Network, marshalled});
    frame(QStringLiteral("The server's OS delivers the bytes upwards."), {1, L::LocalOs, mine},
        {1, L::LocalOs, marshalled});
    frame(
        QStringLiteral("Left: the server application parses its own protocol. Right: the server's middleware "
                       "unmarshals the message and calls the server application's procedure."),
        {1, L::Application, mine}, {1, L::Middleware, marshalled});
    frame(QStringLiteral("Both server applications compute the same answer; only the right one never had to "
                         "parse a message."),
        {1, L::Application, QStringLiteral("3 appointments")},
        {1, L::Application, QStringLiteral("list(...) returns 3")});
    frame(QStringLiteral("The reply travels back the same way."),
        {0, L::Network, QStringLiteral("OK 3\\n...")},
        {0, L::Network, QStringLiteral("[reply 7 | len 58 | ...]")});
    ProtocolsFrame::Side left {0, L::Application, QStringLiteral("OK 3\\n..."), true};
    ProtocolsFrame::Side right {0, L::Application, QStringLiteral("returns 3 appointments"), true};
    frame(QStringLiteral("The client applications have their answer."), left, right);
    frame(QStringLiteral(
              "Now %1 applications share these machines. Left: %1 protocols, each designed, "
              "implemented and debugged at both ends. Right: still one middleware protocol; each new "
              "application only defines its interface.")
              .arg(m_applications),
        {}, {}, m_applications);
}

} // namespace proclab
