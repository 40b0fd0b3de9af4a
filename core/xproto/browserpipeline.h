#pragma once

#include <QString>

#include <array>
#include <optional>
#include <vector>

namespace proclab {

/**
 * @brief One frame of the C3 diagram: which stage works, where the stages run, what crosses
 * the network.
 */
struct BrowserFrame {
    /// The stages of the slides' browser anatomy.
    enum Stage { Loader = 0, Parsing = 1, Styling = 2, Layout = 3, Painting = 4, Compositing = 5 };
    static constexpr int kStages = 6;
    /// What a stage has done so far in this frame's phase.
    enum State { Idle = 0, Done = 1, Active = 2, Skipped = 3 };

    QString caption;
    int active = -1; ///< the stage working in this frame, -1 none
    std::array<int, kStages> state {}; ///< a State per stage
    QString network; ///< what crosses the network in this frame ("" nothing)
    bool networkUp = false; ///< towards the server (else towards the user)
    bool scriptActive = false; ///< the script engine runs
    bool userActive = false; ///< the user does something
};

/**
 * @brief C3 as frames: a page loads through the browser's pipeline (loading, parsing, style,
 * layout, paint, composite), then one change makes some stages run again. In a thin client
 * every stage runs on a server and only pixels and input cross the network.
 */
class BrowserPipeline {
public:
    enum class Client { Browser, Thin };
    enum class Change { None, Text, Colour, Scroll };

    BrowserPipeline(Client client, Change change);
    const std::vector<BrowserFrame> &frames() const { return m_frames; }

    /// @brief Of styling, layout, painting and compositing, how many run again for the change.
    int stagesRerun() const { return m_stagesRerun; }
    /// @brief Whether the change needs a new layout.
    bool layoutRerun() const { return m_layoutRerun; }
    /// @brief Stages that run on the user's device: all six in a browser, none in a thin client.
    int stagesOnClient() const { return m_client == Client::Browser ? BrowserFrame::kStages : 0; }
    /// @brief Messages that cross the network because of the change.
    int networkMessagesForChange() const { return m_changeMessages; }

    static std::optional<Client> clientFromId(const QString &id);
    static std::optional<Change> changeFromId(const QString &id);
    static QString stageName(int stage);

private:
    void add(BrowserFrame f);

    Client m_client;
    Change m_change;
    std::vector<BrowserFrame> m_frames;
    int m_stagesRerun = 0;
    bool m_layoutRerun = false;
    int m_changeMessages = 0;
};

} // namespace proclab
