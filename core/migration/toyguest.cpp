#include "toyguest.h"

#include "vmm/guestlibrary.h"
#include "vmm/toyassembler.h"

#include <algorithm>
#include <cstring>

namespace proclab::migration {

namespace {

constexpr std::size_t kToyWordsPerPage = kPageBytes / sizeof(std::uint32_t); // toy words per VM page
constexpr std::uint64_t kStateMagic = 0x31534f594f544c50ULL; // "PLTOYOS1"

// The state page, in 64-bit words: [0] magic, [1] instructions, [2] boots, [3] console bytes,
// [4] pc, [5..12] registers, [13..21] the privileged state, [22..24] the timer, [25] the
// console tail's length, [26] a check over words 0..25; the tail's bytes from byte 256.
enum StateWord : std::size_t {
    SwMagic = 0,
    SwInstructions = 1,
    SwBoots = 2,
    SwConsoleBytes = 3,
    SwPc = 4,
    SwRegs = 5,
    SwSys = SwRegs + toy::kRegisters,
    SwTimerPeriod = SwSys + 9,
    SwTimerLeft,
    SwIrqPending,
    SwTailBytes,
    SwCheck,
    SwCount
};
constexpr std::size_t kTailOffset = 256;
static_assert(SwCount * sizeof(std::uint64_t) <= kTailOffset);
static_assert(kTailOffset + kToyConsoleTailBytes <= kPageBytes);

std::uint64_t stateCheck(const std::uint64_t *w)
{
    std::uint64_t h = 0x84222325cbf29ce4ULL;
    for (std::size_t i = 0; i < SwCheck; ++i)
        h = (h ^ w[i]) * 0x100000001b3ULL;
    return h;
}

/// A saved machine, as read back from a state page.
struct Saved {
    ToyGuestStatus status;
    std::uint64_t words[SwCount] = {};
};

std::optional<Saved> parseState(const std::uint8_t *page)
{
    Saved s;
    std::memcpy(s.words, page, sizeof s.words);
    const std::uint64_t *w = s.words;
    if (w[SwMagic] != kStateMagic || w[SwCheck] != stateCheck(w) || w[SwTailBytes] > kToyConsoleTailBytes
        || w[SwPc] > 0xffffffffULL)
        return std::nullopt;
    s.status.instructions = w[SwInstructions];
    s.status.boots = w[SwBoots];
    s.status.consoleBytes = w[SwConsoleBytes];
    s.status.consoleTail.assign(reinterpret_cast<const char *>(page + kTailOffset), w[SwTailBytes]);
    return s;
}

struct Image {
    std::vector<std::uint32_t> words;
    QString error;
};

Image assembleImage()
{
    Image image;
    const QString dir = GuestLibrary::resourceDirectory();
    const QString name = QLatin1String(ToyGuest::kGuestName);
    const auto source = GuestLibrary::readFile(dir, name + QStringLiteral(".s"), &image.error);
    if (!source)
        return image;
    AsmOptions options;
    options.fileName = name + QStringLiteral(".s");
    options.readInclude = GuestLibrary::includeReader(dir);
    options.defines[QStringLiteral("PARAVIRT")] = 0;
    // Nine lines a task (the line number is one digit), a line about every 40,000
    // instructions: at the model clock, a few lines a second that a student can follow.
    options.defines[QStringLiteral("LINES")] = 9;
    options.defines[QStringLiteral("WORK")] = 20000;
    std::vector<AsmMessage> messages;
    auto program = ToyAssembler::assemble(*source, options, &messages);
    if (!program) {
        image.error = QStringLiteral("the toy guest %1 does not assemble: %2")
                          .arg(name, messages.empty() ? QStringLiteral("?") : messages.front().text());
        return image;
    }
    image.words = std::move(program->memory);
    image.words.resize(toy::kMemoryWords, 0);
    return image;
}

} // namespace

std::string lastConsoleLines(const ToyGuestStatus &status, std::size_t maxBytes)
{
    const std::string &tail = status.consoleTail;
    std::size_t start = tail.size() - std::min(maxBytes, tail.size());
    // The piece starts inside a line when bytes before it were printed and the last of them
    // did not end a line.
    const bool cut = start > 0 ? tail[start - 1] != '\n' : status.consoleBytes > tail.size();
    if (cut) {
        const std::size_t lineEnd = tail.find('\n', start);
        if (lineEnd != std::string::npos && lineEnd + 1 < tail.size())
            start = lineEnd + 1;
    }
    return tail.substr(start);
}

ToyGuest::ToyGuest(ReadPage read, WritePage write)
    : m_read(std::move(read))
    , m_write(std::move(write))
    , m_shadow(toy::kMemoryWords, 0)
{
}

const std::vector<std::uint32_t> *ToyGuest::bootImage(QString *error)
{
    static const Image image = assembleImage(); // thread-safe once
    if (image.words.empty()) {
        if (error)
            *error = image.error;
        return nullptr;
    }
    return &image.words;
}

bool ToyGuest::attach()
{
    std::vector<std::uint8_t> page(kPageBytes);
    if (!m_read(kToyStatePage, page.data()))
        return false;
    const auto saved = parseState(page.data());
    if (!saved)
        return boot();
    // The guest's memory as the pages hold it, then the CPU as it was saved.
    for (std::size_t p = 0; p < kToyMemoryPages; ++p) {
        if (!m_read(p, reinterpret_cast<std::uint8_t *>(m_shadow.data() + p * kToyWordsPerPage)))
            return false;
    }
    m_machine.reset();
    m_machine.loadImage(m_shadow);
    const std::uint64_t *w = saved->words;
    m_machine.setPc(std::uint32_t(w[SwPc]));
    for (unsigned r = 1; r < toy::kRegisters; ++r)
        m_machine.setReg(r, std::uint32_t(w[SwRegs + r]));
    ToySysState &sys = m_machine.sys();
    sys.kernel = w[SwSys + 0] != 0;
    sys.interruptsEnabled = w[SwSys + 1] != 0;
    sys.epc = std::uint32_t(w[SwSys + 2]);
    sys.estatus = std::uint32_t(w[SwSys + 3]);
    sys.cause = std::uint32_t(w[SwSys + 4]);
    sys.tval = std::uint32_t(w[SwSys + 5]);
    sys.vector = std::uint32_t(w[SwSys + 6]);
    sys.scratch = std::uint32_t(w[SwSys + 7]);
    sys.ptbr = std::uint32_t(w[SwSys + 8]);
    m_machine.restoreTimer(
        std::uint32_t(w[SwTimerPeriod]), std::uint32_t(w[SwTimerLeft]), w[SwIrqPending] != 0);
    m_instructions = saved->status.instructions;
    m_boots = saved->status.boots;
    m_consoleBytes = saved->status.consoleBytes;
    m_tail = saved->status.consoleTail;
    m_consoleSeen = 0;
    return true;
}

bool ToyGuest::boot()
{
    QString error;
    const auto *image = bootImage(&error);
    if (!image)
        return false;
    // The boot image goes into guest memory first: a reboot, here or on a destination, reads it there.
    const auto *bytes = reinterpret_cast<const std::uint8_t *>(image->data());
    for (std::size_t p = 0; p < kToyMemoryPages; ++p) {
        if (!m_write(kToyImageFirstPage + p, bytes + p * kPageBytes))
            return false;
    }
    m_machine.reset();
    m_machine.loadImage(*image);
    m_consoleSeen = 0;
    m_boots = 1;
    return syncPages(true) && save();
}

bool ToyGuest::reboot()
{
    std::vector<std::uint32_t> image(toy::kMemoryWords);
    for (std::size_t p = 0; p < kToyMemoryPages; ++p) {
        if (!m_read(kToyImageFirstPage + p,
                reinterpret_cast<std::uint8_t *>(image.data() + p * kToyWordsPerPage)))
            return false;
    }
    m_machine.reset();
    m_machine.loadImage(image);
    m_consoleSeen = 0;
    ++m_boots;
    return true;
}

void ToyGuest::takeConsole()
{
    const std::string &console = m_machine.console();
    if (console.size() <= m_consoleSeen)
        return;
    m_tail.append(console, m_consoleSeen);
    m_consoleBytes += console.size() - m_consoleSeen;
    m_consoleSeen = console.size();
    if (m_tail.size() > kToyConsoleTailBytes)
        m_tail.erase(0, m_tail.size() - kToyConsoleTailBytes);
}

bool ToyGuest::run(std::uint64_t instructions)
{
    std::uint64_t left = instructions;
    int reboots = 0;
    while (left > 0) {
        const std::uint64_t before = m_machine.retired();
        const MachineResult result = m_machine.run(left);
        const std::uint64_t done = m_machine.retired() - before;
        m_instructions += done;
        left -= std::min(done, left);
        takeConsole();
        if (result.stop == MachineStop::Budget) {
            if (done == 0)
                break;
            continue;
        }
        // Halted (its programs are done), faulted or stopped for a host: the guest OS boots
        // again from its image. Two boots in one slice would mean it cannot run at all.
        if (++reboots > 2)
            break;
        if (!reboot())
            return false;
    }
    return syncPages(false);
}

bool ToyGuest::syncPages(bool all)
{
    const std::uint32_t *memory = m_machine.memory().data();
    for (std::size_t p = 0; p < kToyMemoryPages; ++p) {
        const std::uint32_t *now = memory + p * kToyWordsPerPage;
        std::uint32_t *was = m_shadow.data() + p * kToyWordsPerPage;
        if (!all && std::memcmp(now, was, kPageBytes) == 0)
            continue;
        if (!m_write(p, reinterpret_cast<const std::uint8_t *>(now)))
            return false;
        std::memcpy(was, now, kPageBytes);
    }
    return true;
}

bool ToyGuest::save()
{
    std::vector<std::uint64_t> page(kPageBytes / sizeof(std::uint64_t), 0);
    std::uint64_t *w = page.data();
    w[SwMagic] = kStateMagic;
    w[SwInstructions] = m_instructions;
    w[SwBoots] = m_boots;
    w[SwConsoleBytes] = m_consoleBytes;
    w[SwPc] = m_machine.pc();
    for (unsigned r = 0; r < toy::kRegisters; ++r)
        w[SwRegs + r] = m_machine.reg(r);
    const ToySysState &sys = m_machine.sys();
    const std::uint32_t sysWords[9] = {sys.kernel ? 1u : 0u, sys.interruptsEnabled ? 1u : 0u, sys.epc,
        sys.estatus, sys.cause, sys.tval, sys.vector, sys.scratch, sys.ptbr};
    for (std::size_t i = 0; i < 9; ++i)
        w[SwSys + i] = sysWords[i];
    w[SwTimerPeriod] = m_machine.timerPeriod();
    w[SwTimerLeft] = m_machine.timerLeft();
    w[SwIrqPending] = m_machine.interruptPending() ? 1 : 0;
    w[SwTailBytes] = m_tail.size();
    w[SwCheck] = stateCheck(w);
    auto *bytes = reinterpret_cast<std::uint8_t *>(w);
    std::memcpy(bytes + kTailOffset, m_tail.data(), m_tail.size());
    return m_write(kToyStatePage, bytes);
}

ToyGuestStatus ToyGuest::status() const
{
    return ToyGuestStatus {m_instructions, m_boots, m_consoleBytes, m_tail};
}

std::optional<ToyGuestStatus> ToyGuest::readStatus(const std::uint8_t *statePage)
{
    const auto saved = parseState(statePage);
    if (!saved)
        return std::nullopt;
    return saved->status;
}

} // namespace proclab::migration
