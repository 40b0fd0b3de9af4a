#pragma once

#include "net/httpclient.h"

#include <QString>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

namespace proclab {

/**
 * @brief One bar of the waterfall: a resource fetched by one client thread.
 */
struct WaterfallEntry {
    int resource = -1; ///< -1 for the index page, else the resource index
    QString path;
    int thread = 0; ///< the client thread that fetched it (0 for the page)
    FetchTiming timing; ///< ms since the page load started
    QString error;
};

/**
 * @brief The shared state of one page load: which embedded resource is fetched next, and the
 * fetches finished so far.
 *
 * Client threads call takeNext() for the index of the next reference to fetch and record()
 * when it is done; the engine thread moves the finished fetches out with drainInto() for
 * live snapshots. Thread-safe; it has no threads of its own.
 */
class PageLoadRecorder {
public:
    /// @brief A load of the page whose references (src="...") are @p references, in order.
    explicit PageLoadRecorder(std::vector<std::string> references);

    /// Number of references to fetch.
    int size() const { return static_cast<int>(m_references.size()); }
    const std::string &reference(int index) const { return m_references[static_cast<std::size_t>(index)]; }
    /// @brief The index of the next reference to fetch, or -1 when every one is taken.
    int takeNext();
    /// @brief Records a finished fetch (successful or not).
    void record(WaterfallEntry entry);
    /**
     * @brief Appends the fetches recorded since the last call to @p out, in the order they finished.
     * @return true once every reference has been recorded
     */
    bool drainInto(std::vector<WaterfallEntry> *out);

private:
    std::vector<std::string> m_references;
    std::atomic<int> m_next {0};
    std::mutex m_mutex; // guards m_done
    std::vector<WaterfallEntry> m_done;
    std::size_t m_drained = 0; // only the draining thread touches it
};

/// @brief When the last fetch of @p waterfall ended (ms since the load started); 0 when empty.
double loadTimeMs(const std::vector<WaterfallEntry> &waterfall);

/// @brief "path: error" of the first failed fetch in @p waterfall, or empty.
QString firstFetchError(const std::vector<WaterfallEntry> &waterfall);

} // namespace proclab
