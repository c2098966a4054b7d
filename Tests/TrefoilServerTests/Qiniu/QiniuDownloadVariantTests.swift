import Foundation
import HTTPTypes
import Testing
import TrefoilJSON
import TrefoilTestSupport

/// `image_type`, `w`/`h` and `format` on downloads: thumbnails and covers of real images and videos, voice in AMR
/// and MP3, made by libvips and ffmpeg in the server from clips made by the same tools here.
@Suite("Qiniu IM: download variants")
struct QiniuDownloadVariantTests {
    /// Uploads `bytes` as a chat file of `fileType` from user 7 to user 8; returns its download URL.
    func upload(_ server: QiniuServer, _ bytes: [UInt8], fileType: Int, name: String, token: String) async throws
        -> String
    {
        let ticket = try await server.ticket("/file/upload/chat?file_type=\(fileType)&to_id=8&to_type=1", token: token)
        #expect(try await server.upload(ticket, bytes: bytes, name: name).status == .ok)
        return ticket.downloadURL
    }

    @Test("image_type 2 fits w × h (or the configured box), image_type 3 of an image is its thumbnail, 1 the original")
    func imageThumbnails() async throws {
        let server = try await QiniuServer.start()
        let token = try await server.token(user: 7)
        let image = try await TestImages.jpeg(width: 1000, height: 500)
        let url = try await upload(server, image, fileType: 102, name: "wide.jpg", token: token)
        let headers = QiniuServer.headers(token)
        #expect(try await server.get(url, headers: headers).bytes == image)
        #expect(try await server.get(url + "&image_type=1", headers: headers).bytes == image)
        let sized = try await server.get(url + "&image_type=2&w=100&h=100", headers: headers)
        #expect(sized.headers[.contentType] == "image/jpeg")
        #expect(TestImages.dimensions(sized.bytes).map { [$0.width, $0.height] } == [100, 50])
        let configured = try await server.get(url + "&image_type=2", headers: headers)
        #expect(TestImages.dimensions(configured.bytes).map { [$0.width, $0.height] } == [200, 100])
        let cover = try await server.get(url + "&image_type=3", headers: headers)
        #expect(cover.bytes == configured.bytes)
        try await server.get(url + "&image_type=4", headers: headers).expectFailure(.badRequest)
        try await server.get(url + "&image_type=2&w=0", headers: headers).expectFailure(.badRequest)
        await server.stop()
    }

    @Test("image_type 3 of a video is a JPEG frame from near its start; of a plain file it is refused")
    func videoCover() async throws {
        let server = try await QiniuServer.start()
        let token = try await server.token(user: 7)
        let clip = try await TestMedia.make(
            "mp4", ["-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "1", "-pix_fmt", "yuv420p"])
        let url = try await upload(server, clip, fileType: 103, name: "clip.mp4", token: token)
        let cover = try await server.get(url + "&image_type=3", headers: QiniuServer.headers(token))
        #expect(cover.status == .ok, "\(cover)")
        #expect(cover.bytes.starts(with: [0xFF, 0xD8]))
        #expect(TestImages.dimensions(cover.bytes).map { [$0.width, $0.height] } == [320, 240])
        let plain = try await upload(server, pseudoRandomBytes(2000), fileType: 100, name: "notes.bin", token: token)
        try await server.get(plain + "&image_type=3", headers: QiniuServer.headers(token)).expectFailure(.badRequest)
        // A thumbnail asked of a plain file is the file.
        let thumbnailOfPlain = try await server.get(plain + "&image_type=2", headers: QiniuServer.headers(token))
        #expect(thumbnailOfPlain.bytes == pseudoRandomBytes(2000), "\(thumbnailOfPlain)")
        await server.stop()
    }

    @Test(
        "format converts voice between AMR and MP3 (both ways) on first request; the stored format comes back as it is")
    func voiceFormats() async throws {
        let server = try await QiniuServer.start()
        let token = try await server.token(user: 7)
        let mp3 = try await TestMedia.make(
            "mp3", ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "libmp3lame"])
        let url = try await upload(server, mp3, fileType: 104, name: "hello.mp3", token: token)
        let headers = QiniuServer.headers(token)
        #expect(try await server.get(url + "&format=mp3", headers: headers).bytes == mp3)
        let amr = try await server.get(url + "&format=amr", headers: headers)
        #expect(amr.status == .ok, "\(amr)")
        #expect(amr.bytes.starts(with: Array("#!AMR\n".utf8)))
        #expect(amr.headers[.contentType] == "audio/amr")
        let again = try await server.get(url + "&format=amr", headers: headers)
        #expect(again.bytes == amr.bytes)
        try await server.get(url + "&format=ogg", headers: headers).expectFailure(.badRequest)

        // And the other way: an AMR voice message (101) asked as MP3.
        let amrClip = try await TestMedia.make(
            "amr",
            [
                "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-ar", "8000", "-ac", "1", "-c:a",
                "libopencore_amrnb",
            ])
        let amrURL = try await upload(server, amrClip, fileType: 101, name: "hello.amr", token: token)
        let asMP3 = try await server.get(amrURL + "&format=mp3", headers: headers)
        #expect(asMP3.status == .ok, "\(asMP3)")
        #expect(asMP3.headers[.contentType] == "audio/mpeg")
        #expect(asMP3.bytes.starts(with: Array("ID3".utf8)) || asMP3.bytes.starts(with: [0xFF]))
        #expect(try await server.get(amrURL, headers: headers).bytes == amrClip)
        await server.stop()
    }
}

/// Short media clips made by ffmpeg in a temp directory.
enum TestMedia {
    static func make(_ suffix: String, _ arguments: [String]) async throws -> [UInt8] {
        let directory = makeTempDirectory(prefix: "trefoil-media")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/clip." + suffix
        let run = try await e2eRun(
            "/usr/bin/ffmpeg", ["-nostdin", "-hide_banner", "-loglevel", "error"] + arguments + ["-y", path],
            environment: e2eCleanEnvironment(), timeout: .seconds(60))
        #expect(run.status == 0, "ffmpeg \(arguments): \(run.errors)")
        return try #require(readFile(path))
    }
}

@Suite("Qiniu IM: without ffmpeg")
struct QiniuWithoutFFmpegTests {
    @Test(
        "without ffmpeg a video's cover and a voice conversion answer 503; originals, thumbnails and the rest work; sdk_sign, source and thumbnail_strategy are ignored"
    )
    func withoutFFmpeg() async throws {
        let server = try await QiniuServer.start { $0.qiniuIM.ffmpegPath = "/nonexistent/ffmpeg" }
        let token = try await server.token(user: 7)
        let headers = QiniuServer.headers(token)
        let clip = try await TestMedia.make(
            "mp4", ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-t", "1", "-pix_fmt", "yuv420p"])
        let video = try await server.ticket("/file/upload/chat?file_type=103&to_id=8&to_type=1", token: token)
        #expect(try await server.upload(video, bytes: clip).status == .ok)
        let message = try await server.get(video.downloadURL + "&image_type=3", headers: headers)
            .expectFailure(.serviceUnavailable)
        #expect(message.contains("ffmpeg"))
        #expect(try await server.get(video.downloadURL, headers: headers).bytes == clip)

        let mp3 = try await TestMedia.make(
            "mp3", ["-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a", "libmp3lame"])
        let voice = try await server.ticket("/file/upload/chat?file_type=104&to_id=8&to_type=1", token: token)
        #expect(try await server.upload(voice, bytes: mp3).status == .ok)
        try await server.get(voice.downloadURL + "&format=amr", headers: headers).expectFailure(.serviceUnavailable)

        let image = try await TestImages.jpeg(width: 400, height: 200)
        let photo = try await server.ticket("/file/upload/chat?file_type=102&to_id=8&to_type=1", token: token)
        #expect(try await server.upload(photo, bytes: image).status == .ok)
        let thumbnail = try await server.get(
            photo.downloadURL + "&image_type=2&w=100&h=100&sdk_sign=x&source=miniprogram&thumbnail_strategy=1",
            headers: headers)
        #expect(TestImages.dimensions(thumbnail.bytes).map { [$0.width, $0.height] } == [100, 50])
        await server.stop()
    }
}
