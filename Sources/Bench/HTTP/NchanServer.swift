import Foundation

/// nginx with the nchan module (Debian's `libnginx-mod-nchan`) on a free loopback port, one worker:
/// `POST /pub` publishes its body to every WebSocket on `GET /sub`. What `statusbench fanout` puts
/// statusd beside, as the reference for one process fanning one message out.
final class NchanServer {
    let process = Process()
    let port: Int
    let folder: String

    init(nginx: String, module: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("statusbench-nchan-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        port = try StaticServer.freePort()
        // A process here may open at most 20,000 files: the worker takes them all.
        let configuration = """
            load_module \(module);
            worker_processes 1;
            worker_rlimit_nofile 20000;
            daemon off;
            pid \(folder)/nginx.pid;
            error_log \(folder)/error.log;
            events { worker_connections 19900; }
            http {
                access_log off;
                server {
                    listen 127.0.0.1:\(port) backlog=4096;
                    location = /pub { nchan_publisher; nchan_channel_id fanout; }
                    location = /sub { nchan_subscriber websocket; nchan_channel_id fanout; }
                }
            }
            """
        try configuration.write(toFile: folder + "/nginx.conf", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: nginx)
        process.arguments = ["-c", folder + "/nginx.conf", "-p", folder]
        process.standardError = FileHandle.nullDevice
        try process.run()
        try StaticServer.waitForListener(port: port)
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: folder)
    }
}
