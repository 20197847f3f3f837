import CJPEG
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// JPEG → 8-bit RGB with the system libjpeg(-turbo), as Pillow decodes: default (ISLOW) IDCT and fancy
/// upsampling; gray is replicated; CMYK/YCCK converted like Pillow's `cmyk2rgb` (Adobe files inverted).
///
/// ## Why decoding runs on its own thread
/// libjpeg reports a fatal error by calling `err->error_exit`, which must not return: the library's
/// state is undefined after it. C code `longjmp`s back to a `setjmp` point; Swift cannot call `setjmp`
/// (it is unavailable because it returns twice), and we may not add a C target for a shim. So every
/// libjpeg call for one file happens on a fresh pthread, and `error_exit` formats libjpeg's message into
/// memory the caller owns, then ends *that thread only* with `pthread_exit`. The caller joins the thread,
/// sees the failure flag and calls `jpeg_destroy_decompress`, which frees all of libjpeg's memory (as the
/// C idiom does after `longjmp`). The thread body touches only raw memory allocated by the caller
/// (no Swift references, no locks), so ending it mid-call leaks nothing and leaves nothing locked.
/// `pthread_exit` unwinds the thread's stack; the C (libjpeg) and Swift frames on it have unwind tables
/// and no cleanups. Warnings go through `emit_message`: "premature end of data" (the file is cut short)
/// becomes a `truncated` error; other corrupt-data warnings are ignored, as Pillow ignores them.
enum JPEGDecoder {
    /// Everything the decoding thread reads and writes. Trivial fields only (see above).
    struct Job {
        var cinfo = jpeg_decompress_struct()
        var err = jpeg_error_mgr()
        var input: UnsafePointer<UInt8>? = nil
        var inputCount = 0
        var message: UnsafeMutablePointer<CChar>? = nil
        var failed = false
        var hitEnd = false
        var created = false
        var width = 0
        var height = 0
        var colorSpace = JCS_UNKNOWN
        var adobe = false
        var sizeRefused = false
        var output: UnsafeMutablePointer<UInt8>? = nil
        var outputComponents = 0
        var finished = false
    }

    static let messageCapacity = Int(JMSG_LENGTH_MAX)

    /// Stable addresses of the libjpeg structs inside a heap-allocated job (no `&` on `pointee`, whose
    /// temporary-address semantics are not guaranteed).
    static func cinfo(_ job: UnsafeMutablePointer<Job>) -> UnsafeMutablePointer<jpeg_decompress_struct> {
        (UnsafeMutableRawPointer(job) + MemoryLayout<Job>.offset(of: \Job.cinfo)!)
            .assumingMemoryBound(to: jpeg_decompress_struct.self)
    }

    static func errorManager(_ job: UnsafeMutablePointer<Job>) -> UnsafeMutablePointer<jpeg_error_mgr> {
        (UnsafeMutableRawPointer(job) + MemoryLayout<Job>.offset(of: \Job.err)!)
            .assumingMemoryBound(to: jpeg_error_mgr.self)
    }

    /// FF D9, handed to libjpeg when the data runs out (never freed).
    nonisolated(unsafe) static let fakeEOI: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 2)
        p[0] = 0xFF
        p[1] = 0xD9
        return p
    }()

    static func decode(_ bytes: [UInt8], source: String) throws -> RGBImage {
        let job = UnsafeMutablePointer<Job>.allocate(capacity: 1)
        job.initialize(to: Job())
        let message = UnsafeMutablePointer<CChar>.allocate(capacity: messageCapacity)
        message.initialize(repeating: 0, count: messageCapacity)
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        if !bytes.isEmpty { bytes.withUnsafeBufferPointer { input.update(from: $0.baseAddress!, count: $0.count) } }
        defer {
            if job.pointee.created { jpeg_destroy_decompress(cinfo(job)) }
            free(job.pointee.output)
            job.deinitialize(count: 1)
            job.deallocate()
            message.deallocate()
            input.deallocate()
        }
        job.pointee.input = UnsafePointer(input)
        job.pointee.inputCount = bytes.count
        job.pointee.message = message

        _ = fakeEOI  // initialise the lazy global here, not on the decoding thread
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            JPEGDecoder.run(raw!.assumingMemoryBound(to: Job.self))
            return nil
        }, UnsafeMutableRawPointer(job))
        guard started == 0 else {
            throw ImageError(.unreadable, path: source, "cannot start a JPEG decoding thread (error \(started))")
        }
        pthread_join(thread, nil)

        let j = job.pointee
        if j.failed {
            let text = String(cString: message)
            if j.hitEnd {
                // libjpeg read past the end (our fake EOI) before failing: the file is cut short, and
                // its message ("Bogus Huffman table definition", …) is a consequence, not the cause.
                throw ImageError(.truncated, path: source,
                                 "the JPEG ends early, after \(bytes.count) bytes (libjpeg then said \"\(text)\") — "
                                 + "the file was cut short; download or copy it again")
            }
            // "Unsupported JPEG data precision 12", "Unsupported JPEG process: SOF type 0xc3" (lossless,
            // hierarchical); not "Unsupported marker type", which garbage produces.
            if text.hasPrefix("Unsupported JPEG") {
                throw ImageError(.unsupportedFormat, path: source,
                                 "a JPEG variant this decoder cannot read (libjpeg: \"\(text)\") — "
                                 + "re-save it as an ordinary 8-bit JPEG or as PNG")
            }
            throw ImageError(.corrupt, path: source, "damaged JPEG: libjpeg says \"\(text)\"")
        }
        if j.sizeRefused { try ImageLimits.check(width: j.width, height: j.height, path: source) }
        if j.hitEnd {
            throw ImageError(.truncated, path: source,
                             "the JPEG ends early, after \(bytes.count) bytes (libjpeg: premature end of data) — "
                             + "the file was cut short; download or copy it again")
        }
        guard j.finished, let output = j.output else {
            throw ImageError(.corrupt, path: source, "damaged JPEG: decoding stopped early")
        }
        let count = j.width * j.height
        var pixels = [UInt8](repeating: 0, count: count * 3)
        if j.outputComponents == 3 {
            pixels.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: output, count: count * 3) }
        } else {
            // CMYK → RGB as Pillow's cmyk2rgb; Adobe-marked files store inverted CMYK ("CMYK;I").
            for i in 0..<count {
                var cmyk = (0..<4).map { Int(output[i * 4 + $0]) }
                if j.adobe { cmyk = cmyk.map { 255 - $0 } }
                let nk = 255 - cmyk[3]
                for c in 0..<3 {
                    let t = cmyk[c] * nk + 128
                    let product = ((t >> 8) + t) >> 8
                    pixels[i * 3 + c] = UInt8(min(max(nk - product, 0), 255))
                }
            }
        }
        return RGBImage(width: j.width, height: j.height, pixels: pixels)
    }

    /// The decoding thread's body: libjpeg calls only, on raw memory.
    static func run(_ job: UnsafeMutablePointer<Job>) {
        let cinfo = cinfo(job)
        let errorManager = errorManager(job)
        cinfo.pointee.err = jpeg_std_error(errorManager)
        errorManager.pointee.error_exit = { common in
            let job = common!.pointee.client_data!.assumingMemoryBound(to: Job.self)
            common!.pointee.err.pointee.format_message(common, job.pointee.message)
            job.pointee.failed = true
            pthread_exit(nil)
        }
        // Warnings (corrupt-data messages) are not printed; libjpeg carries on as Pillow lets it.
        errorManager.pointee.emit_message = { _, _ in }
        jpeg_CreateDecompress(cinfo, JPEG_LIB_VERSION, MemoryLayout<jpeg_decompress_struct>.size)
        cinfo.pointee.client_data = UnsafeMutableRawPointer(job)
        job.pointee.created = true
        jpeg_mem_src(cinfo, job.pointee.input, UInt(job.pointee.inputCount))
        // jpeg_mem_src asks for more data only when the file is cut short; it then inserts a fake EOI
        // marker. Do the same, but record that the input ran out.
        cinfo.pointee.src.pointee.fill_input_buffer = { cinfo in
            let job = cinfo!.pointee.client_data!.assumingMemoryBound(to: Job.self)
            job.pointee.hitEnd = true
            cinfo!.pointee.src.pointee.next_input_byte = UnsafePointer(JPEGDecoder.fakeEOI)
            cinfo!.pointee.src.pointee.bytes_in_buffer = 2
            return 1
        }
        _ = jpeg_read_header(cinfo, 1)
        if job.pointee.hitEnd { return }
        let width = Int(cinfo.pointee.image_width), height = Int(cinfo.pointee.image_height)
        job.pointee.width = width
        job.pointee.height = height
        job.pointee.adobe = cinfo.pointee.saw_Adobe_marker != 0
        guard width > 0, height > 0, width <= ImageLimits.maxSide, height <= ImageLimits.maxSide,
              width * height <= ImageLimits.maxPixels else {
            job.pointee.sizeRefused = true
            return
        }
        let space = cinfo.pointee.jpeg_color_space
        job.pointee.colorSpace = space
        cinfo.pointee.out_color_space = (space == JCS_CMYK || space == JCS_YCCK) ? JCS_CMYK : JCS_RGB
        guard jpeg_start_decompress(cinfo) != 0 else { return }
        let components = Int(cinfo.pointee.output_components)
        job.pointee.outputComponents = components
        guard components == 3 || components == 4,
              Int(cinfo.pointee.output_width) == width, Int(cinfo.pointee.output_height) == height,
              let output = malloc(width * height * components)?.assumingMemoryBound(to: UInt8.self) else { return }
        job.pointee.output = output
        var row: UnsafeMutablePointer<UInt8>? = nil
        while cinfo.pointee.output_scanline < cinfo.pointee.output_height {
            row = output + Int(cinfo.pointee.output_scanline) * width * components
            let read = withUnsafeMutablePointer(to: &row) { jpeg_read_scanlines(cinfo, $0, 1) }
            if read == 0 { return }
        }
        _ = jpeg_finish_decompress(cinfo)
        job.pointee.finished = true
    }
}
