#include "browserpipeline.h"

namespace proclab {

QString BrowserPipeline::stageName(int stage)
{
    switch (stage) {
    case BrowserFrame::Loader:
        return QStringLiteral("resource loader");
    case BrowserFrame::Parsing:
        return QStringLiteral("HTML parsing");
    case BrowserFrame::Styling:
        return QStringLiteral("styling");
    case BrowserFrame::Layout:
        return QStringLiteral("layout");
    case BrowserFrame::Painting:
        return QStringLiteral("painting & rasterization");
    case BrowserFrame::Compositing:
        return QStringLiteral("compositing");
    default:
        return {};
    }
}

std::optional<BrowserPipeline::Client> BrowserPipeline::clientFromId(const QString &id)
{
    if (id == QLatin1String("browser"))
        return Client::Browser;
    if (id == QLatin1String("thin"))
        return Client::Thin;
    return std::nullopt;
}

std::optional<BrowserPipeline::Change> BrowserPipeline::changeFromId(const QString &id)
{
    if (id == QLatin1String("none"))
        return Change::None;
    if (id == QLatin1String("text"))
        return Change::Text;
    if (id == QLatin1String("colour"))
        return Change::Colour;
    if (id == QLatin1String("scroll"))
        return Change::Scroll;
    return std::nullopt;
}

void BrowserPipeline::add(BrowserFrame f)
{
    m_frames.push_back(std::move(f));
}

BrowserPipeline::BrowserPipeline(Client client, Change change)
    : m_client(client)
    , m_change(change)
{
    const bool thin = client == Client::Thin;
    BrowserFrame f;
    f.caption = thin
        ? QStringLiteral("A thin client: the browser runs on a server in the data centre; the user's "
                         "device only shows pixels and sends input.")
        : QStringLiteral("A browser on the user's device: every stage of the pipeline runs here.");
    f.userActive = true;
    if (thin) {
        f.network = QStringLiteral("input: the URL typed");
        f.networkUp = true;
    }
    add(f);
    const auto stage = [&](int s, const QString &caption, const QString &network = {}, bool up = false) {
        BrowserFrame g = m_frames.back();
        g.userActive = false;
        g.scriptActive = false;
        for (int &st : g.state) {
            if (st == BrowserFrame::Active)
                st = BrowserFrame::Done;
        }
        g.active = s;
        if (s >= 0)
            g.state[std::size_t(s)] = BrowserFrame::Active;
        g.caption = caption;
        g.network = network;
        g.networkUp = up;
        add(g);
    };
    stage(BrowserFrame::Loader,
        QStringLiteral("The resource loader asks the web server for the page over HTTP(S)."),
        QStringLiteral("HTTP(S): HTML"), false);
    stage(BrowserFrame::Parsing,
        QStringLiteral(
            "Parsing turns the HTML into the DOM tree and finds more files: CSS, scripts, images. The "
            "loader fetches them."),
        QStringLiteral("HTTP(S): CSS, scripts, images"), false);
    stage(
        BrowserFrame::Styling, QStringLiteral("Styling computes every element's style from the CSS rules."));
    stage(BrowserFrame::Layout, QStringLiteral("Layout computes where every box goes and how large it is."));
    stage(BrowserFrame::Painting,
        QStringLiteral("Painting and rasterization turn the boxes into pixels, in layers."));
    stage(BrowserFrame::Compositing,
        thin ? QStringLiteral(
            "Compositing stacks the layers into the final image, on the server; the image goes "
            "to the thin client as pixels.")
             : QStringLiteral("Compositing stacks the layers into the image on the screen."),
        thin ? QStringLiteral("pixels of the whole page") : QString());

    if (change == Change::None)
        return;
    // The change: which stages run again is the point of the step.
    BrowserFrame g = m_frames.back();
    for (int &st : g.state)
        st = BrowserFrame::Idle;
    g.active = -1;
    g.network.clear();
    if (change == Change::Scroll) {
        g.caption = QStringLiteral("The user scrolls.");
        g.userActive = true;
        if (thin) {
            g.network = QStringLiteral("input: scroll");
            g.networkUp = true;
            ++m_changeMessages;
        }
    } else {
        g.caption = change == Change::Text
            ? QStringLiteral("A script changes the text of a paragraph (the DOM).")
            : QStringLiteral("A script changes the colour of a heading (its style).");
        g.scriptActive = true;
    }
    add(g);
    std::vector<int> rerun;
    if (change == Change::Text)
        rerun = {
            BrowserFrame::Styling, BrowserFrame::Layout, BrowserFrame::Painting, BrowserFrame::Compositing};
    else if (change == Change::Colour)
        rerun = {BrowserFrame::Styling, BrowserFrame::Painting, BrowserFrame::Compositing};
    else
        rerun = {BrowserFrame::Compositing};
    m_stagesRerun = int(rerun.size());
    m_layoutRerun = change == Change::Text;
    for (int s : rerun) {
        QString caption;
        switch (s) {
        case BrowserFrame::Styling:
            caption = QStringLiteral("Styling runs again for the changed element.");
            break;
        case BrowserFrame::Layout:
            caption = QStringLiteral("New text may change sizes: layout runs again.");
            break;
        case BrowserFrame::Painting:
            caption = change == Change::Colour ? QStringLiteral(
                          "A colour changes no size or position: layout is skipped, painting runs again.")
                                               : QStringLiteral("Painting redraws the changed part.");
            break;
        default:
            caption = change == Change::Scroll
                ? QStringLiteral("Scrolling moves layers that are already painted: only compositing runs.")
                : QStringLiteral("Compositing puts the layers together again.");
            break;
        }
        QString network;
        if (thin && s == BrowserFrame::Compositing) {
            caption += QStringLiteral(" The new image goes to the thin client as pixels.");
            network = QStringLiteral("pixels of the changed area");
            ++m_changeMessages;
        }
        stage(s, caption, network);
    }
    // Mark what was skipped, for the last frame.
    BrowserFrame &last = m_frames.back();
    for (int s = BrowserFrame::Styling; s <= BrowserFrame::Compositing; ++s) {
        if (last.state[std::size_t(s)] == BrowserFrame::Idle)
            last.state[std::size_t(s)] = BrowserFrame::Skipped;
    }
}

} // namespace proclab
