#pragma once

#include <QByteArray>
#include <QString>

#include <cstdint>

namespace proclab {

/**
 * @brief Opens @p path for reading only if it is a regular file of at most @p maxBytes.
 *
 * Device files, FIFOs, sockets and directories are refused before anything is read (a FIFO or
 * /dev/zero given as a trace would otherwise block or never end), and so is a file larger than
 * the cap. The check is made on the opened descriptor (fstat), so the file cannot be swapped
 * between the check and the read.
 * @return the descriptor (the caller closes it), or -1 with a one-line @p error
 */
int openRegularFile(const QString &path, std::int64_t maxBytes, QString *error);

/**
 * @brief Reads a whole regular file of at most @p maxBytes (see openRegularFile()).
 * @return false with a one-line @p error
 */
bool readRegularFile(const QString &path, std::int64_t maxBytes, QByteArray *data, QString *error);

/**
 * @brief Whether @p path, with every symbolic link resolved, lies inside @p folder.
 * Used for files a lesson names: a lesson reads only what its own folder holds.
 */
bool isInsideFolder(const QString &path, const QString &folder);

} // namespace proclab
