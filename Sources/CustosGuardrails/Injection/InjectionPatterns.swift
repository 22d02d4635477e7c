/// Phrase families that injections and jailbreaks use, in English, German, French, Spanish, Italian
/// and Portuguese, over the words of ``InjectionText`` (lower case, accents off). Each family is one
/// feature of the model; a family matches when its slots match words in order, each within `gap`
/// words of the previous one. A slot entry ending in `*` matches words that start with it.
struct PhrasePattern {
    let family: Int
    let slots: [[String]]
    let gap: Int
}

enum InjectionPatterns {
    static let families = [
        "override_previous", "new_instructions", "role_change", "unrestricted", "prompt_leak", "exfiltration",
        "tool_call", "append_to_reply", "concealment", "decode_and_follow", "compliance", "urgency", "system_notice",
        "from_now_on",
    ]

    static let ignore = [
        "ignore", "ignoring", "disregard", "forget", "skip", "override", "bypass", "overrule", "drop", "abandon", "ignoriere",
        "ignorieren", "vergiss", "vergessen", "missachte", "ignora", "ignorar", "ignore", "ignorez", "oublie", "oubliez", "olvida",
        "olvide", "dimentica", "dimenticare", "esqueca", "esquece", "desconsidere", "ignorer", "supersedes", "supersede",
    ]
    static let earlier = [
        "previous", "prior", "above", "earlier", "preceding", "all", "any", "your", "the", "everything", "vorherig*", "bisherig*",
        "alle", "obig*", "vorangegangen*", "precedent*", "anterior*", "tutte", "tutto", "todas", "todo", "toutes", "tout",
        "original", "initial", "system", "safety",
    ]
    static let instructions = [
        "instruct*", "prompt*", "rule*", "direction*", "guideline*", "context", "command*", "anweisung*", "regel*",
        "vorgabe*", "befehl*", "instrucci*", "istruzion*", "consign*", "regole", "regla*", "directive*", "direttiv*", "task*",
        "aufgabe*", "polic*", "restriction*", "protocol*", "programming", "training", "tarea*", "compito", "tache*", "instrucoes",
    ]
    static let you = ["you", "du", "tu", "vous", "usted", "voce", "sie"]
    static let now = ["now", "jetzt", "maintenant", "ahora", "ora", "agora", "nun"]
    static let noWithout = ["no", "without", "keine", "keinen", "ohne", "sin", "senza", "sans", "aucune", "sem", "nessuna", "zero"]
    static let limits = [
        "restrict*", "rule*", "limit*", "filter*", "censor*", "guideline*", "polic*", "einschrankung*", "beschrankung*",
        "regeln", "restriccion*", "regole", "limites", "filtro*", "filtre*", "moral*", "ethic*", "boundar*", "safety", "restricao*",
    ]
    static let reveal = [
        "reveal", "show", "print", "output", "repeat", "tell", "display", "give", "share", "dump", "leak", "list", "write",
        "zeige", "zeig", "nenne", "gib", "ausgeben", "revele", "revelez", "montre", "montrez", "muestra", "muestrame", "revela",
        "mostra", "mostrami", "rivela", "divulga", "affiche", "imprime", "what",
    ]
    static let secretThings = [
        "system", "initial", "hidden", "secret", "original", "developer", "internal", "confidential", "your", "operating",
        "geheim*", "interne*", "sistema", "systeme", "systemprompt", "prompt", "instructions", "exact",
    ]
    static let secretObjects = [
        "prompt*", "instruct*", "message*", "config*", "rule*", "password*", "key*", "data", "credential*", "token*", "secret*",
        "anweisung*", "istruzion*", "instrucci*", "above", "verbatim", "database", "systemprompt",
    ]
    static let send = [
        "send", "post", "upload", "forward", "email", "mail", "transmit", "exfiltrate", "envoie", "envoyez", "envia", "enviar",
        "sende", "schicke", "schick", "invia", "inviare", "copy", "submit", "report", "leak", "webhook", "rassemble", "collect",
    ]
    static let destinations = ["http*", "https*", "www*", "url", "address", "adresse", "direccion", "indirizzo", "endpoint", "server", "external*", "attacker*", "webhook"]
    static let call = [
        "call", "invoke", "use", "run", "execute", "trigger", "appelle", "appeler", "llama", "llamar", "chiama", "rufe", "ausfuhren",
        "executez", "ejecuta", "esegui", "fetch", "curl", "wget", "delete",
    ]
    static let toolWords = ["tool*", "function*", "command*", "api", "endpoint", "shell", "terminal", "script", "file*", "http_*", "send_*", "delete_*", "read_*", "write_*", "exec*"]
    static let append = [
        "include", "append", "add", "insert", "attach", "put", "anhangen", "angehangt", "hinzufugen", "ajoute", "ajouter", "ajoutez",
        "ajoute", "anade", "anadir", "anadirse", "aggiungi", "aggiunto", "aggiungere", "inclua", "adicione", "end",
    ]
    static let reply = [
        "reply", "response", "answer", "summary", "output", "antwort", "reponse", "respuesta", "risposta", "resposta", "message",
        "every", "jeder", "toute", "cualquier", "ogni",
    ]
    static let conceal = ["not", "dont", "never", "nicht", "pas", "nunca", "mai", "without"]
    static let concealVerbs = ["tell", "mention", "reveal", "inform", "disclose", "alert", "notify", "erwahnen", "sagen", "dire", "decir", "dire", "warn"]
    static let decode = ["decode", "translate", "rot13", "base64", "decipher", "decrypt", "reverse", "dekodiere", "decodifica", "decodez"]
    static let follow = ["follow", "execute", "do", "run", "obey", "comply", "perform", "act", "befolge", "suis", "sigue", "segui", "esegui"]

    static let patterns: [PhrasePattern] = [
        PhrasePattern(family: 0, slots: [ignore, earlier, instructions], gap: 4),
        PhrasePattern(family: 0, slots: [ignore, instructions], gap: 2),
        PhrasePattern(family: 0, slots: [["forget", "vergiss", "oublie", "olvida", "dimentica"], ["everything", "alles", "tout", "todo", "tutto", "that", "this"]], gap: 2),
        PhrasePattern(family: 1, slots: [["new", "neue", "neuen", "nouvelle*", "nouveau*", "nueva*", "nuevo*", "nuov*", "novas", "novo", "next", "real", "actual"], instructions], gap: 1),
        PhrasePattern(family: 1, slots: [["now", "jetzt", "maintenant", "ahora", "ora"], ["focus", "concentrate", "konzentriere"]], gap: 2),
        PhrasePattern(family: 2, slots: [you, ["are", "bist", "es", "eres", "sei", "e", "sind"], now], gap: 1),
        PhrasePattern(family: 2, slots: [you, ["are", "bist", "es", "eres", "sei"], ["no", "nicht", "plus", "ya"], ["longer", "mehr", "plus", "mas", "piu"]], gap: 1),
        PhrasePattern(family: 2, slots: [["act", "acting", "behave", "agis", "actua", "agisci"], ["as", "like", "als", "comme", "como", "come"]], gap: 1),
        PhrasePattern(family: 2, slots: [["pretend", "imagine", "suppose", "stell", "imagina", "immagina", "fais", "finge", "fingi"], ["you", "to", "dir", "que", "di", "semblant"]], gap: 1),
        PhrasePattern(family: 2, slots: [["roleplay", "role", "rollenspiel", "persona", "character"]], gap: 0),
        PhrasePattern(family: 2, slots: [["in", "im"], ["the", "der"], ["style", "stil", "manner", "voice"], ["of", "eines", "einer"]], gap: 1),
        PhrasePattern(family: 3, slots: [noWithout, limits], gap: 2),
        PhrasePattern(family: 3, slots: [["developer", "entwickler*", "desarrollador", "sviluppatore", "developpeur", "god", "admin", "debug", "sudo", "unrestricted", "jailbreak*", "jailbroken"], ["mode", "modus", "modo", "mod"]], gap: 2),
        PhrasePattern(family: 3, slots: [["dan", "jailbreak*", "jailbroken", "uncensored", "unfiltered", "unrestricted", "unlimited", "anything"]], gap: 0),
        PhrasePattern(family: 4, slots: [reveal, secretThings, secretObjects], gap: 3),
        PhrasePattern(family: 4, slots: [["system", "hidden", "initial", "secret"], ["prompt*", "message", "instructions"]], gap: 0),
        PhrasePattern(family: 4, slots: [["words", "text", "everything", "instructions"], ["above", "before", "oben", "dessus", "arriba", "sopra"]], gap: 2),
        PhrasePattern(family: 5, slots: [send, destinations], gap: 8),
        PhrasePattern(family: 5, slots: [send, ["it", "them", "this", "data", "les", "los", "sie", "li", "everything", "all", "donnees", "datos", "daten", "dati"], ["to", "an", "a", "al", "nach"]], gap: 4),
        PhrasePattern(family: 6, slots: [call, toolWords], gap: 3),
        PhrasePattern(family: 7, slots: [append, reply], gap: 8),
        PhrasePattern(family: 7, slots: [["at", "am", "a", "al", "alla"], ["the", "der", "la", "el"], ["end", "ende", "fin", "final", "fine"], ["of", "jeder", "de", "di", "del"]], gap: 1),
        PhrasePattern(family: 8, slots: [conceal, concealVerbs], gap: 2),
        PhrasePattern(family: 8, slots: [["without", "ohne", "sans", "sin", "senza"], ["telling", "informing", "notifying", "asking", "zu", "le", "que"]], gap: 2),
        PhrasePattern(family: 9, slots: [decode, follow], gap: 8),
        PhrasePattern(family: 10, slots: [["comply", "obey", "gehorche", "obeis", "obedece", "obbedisci"]], gap: 0),
        PhrasePattern(family: 10, slots: [["answer", "respond", "reply", "beantworte", "reponds", "responde", "rispondi"], ["any", "every", "all", "everything", "jede", "toute", "cualquier", "qualsiasi", "freely", "anything"]], gap: 2),
        PhrasePattern(family: 10, slots: [you, ["must", "musst", "dois", "debes", "devi", "deve", "have", "will", "shall"]], gap: 1),
        PhrasePattern(family: 11, slots: [["attention", "important", "urgent", "urgently", "stop", "achtung", "wichtig", "importante", "urgente", "alert", "warning", "override", "attenzione"]], gap: 0),
        PhrasePattern(family: 12, slots: [["system", "systeme", "sistema", "systemhinweis", "admin", "administrator"], ["note", "notice", "update", "message", "hinweis", "nota", "aviso", "override", "alert"]], gap: 1),
        PhrasePattern(family: 12, slots: [["systemhinweis"]], gap: 0),
        PhrasePattern(family: 13, slots: [["from", "von", "a", "ab", "d", "de", "desde", "daqui"], ["now", "nun", "partir", "jetzt", "ora", "ahora", "desormais", "agora"], ["on", "an", "de", "poi", "en", "maintenant", "ahora"]], gap: 1),
        PhrasePattern(family: 13, slots: [["ab", "desormais", "henceforth", "hereafter"], ["jetzt", "sofort"]], gap: 0),
    ]

    /// The slots of all patterns, numbered in order (at most 128).
    struct SlotSet {
        var low: UInt64 = 0
        var high: UInt64 = 0

        mutating func insert(_ slot: Int) {
            if slot < 64 { low |= 1 << UInt64(slot) } else { high |= 1 << UInt64(slot - 64) }
        }

        func contains(_ slot: Int) -> Bool {
            slot < 64 ? low & (1 << UInt64(slot)) != 0 : high & (1 << UInt64(slot - 64)) != 0
        }
    }

    /// For each pattern, the number of its first slot.
    static let firstSlot: [Int] = {
        var next = 0
        return patterns.map { pattern in
            defer { next += pattern.slots.count }
            return next
        }
    }()

    /// Exact words and word prefixes (by FNV-1a hash of their UTF-8), with the slots they belong to.
    static let index: (exact: HashedSlots, prefixes: HashedSlots, longestPrefix: Int) = {
        var exact: [UInt32: SlotSet] = [:]
        var prefixes: [UInt32: SlotSet] = [:]
        var longest = 0
        for (number, pattern) in patterns.enumerated() {
            for (offset, entries) in pattern.slots.enumerated() {
                let slot = firstSlot[number] + offset
                precondition(slot < 128, "too many pattern slots")
                for entry in entries {
                    if entry.hasSuffix("*") {
                        let prefix = entry.dropLast()
                        prefixes[FNV.hash(prefix.utf8), default: SlotSet()].insert(slot)
                        longest = max(longest, prefix.utf8.count)
                    } else {
                        exact[FNV.hash(entry.utf8), default: SlotSet()].insert(slot)
                    }
                }
            }
        }
        return (HashedSlots(exact), HashedSlots(prefixes), longest)
    }()

    /// A word's hash (FNV-1a of its bytes) and the slots it fills: its prefixes are looked up as the
    /// hash grows, the whole word at the end. No allocation.
    static func analyze(_ bytes: ArraySlice<UInt8>) -> (hash: UInt32, slots: SlotSet) {
        var hash = FNV.offset
        var slots = SlotSet()
        var length = 0
        for byte in bytes {
            hash = FNV.step(hash, byte)
            length += 1
            if length <= index.longestPrefix, let found = index.prefixes[hash] {
                slots.low |= found.low
                slots.high |= found.high
            }
        }
        if let found = index.exact[hash] {
            slots.low |= found.low
            slots.high |= found.high
        }
        return (hash, slots)
    }

    /// Which families match words that fill `filled`, as a bitmask over ``families``.
    static func match(_ filled: [SlotSet]) -> UInt64 {
        var found: UInt64 = 0
        for (number, pattern) in patterns.enumerated() where found & (1 << UInt64(pattern.family)) == 0 {
            let first = firstSlot[number]
            search: for start in filled.indices where filled[start].contains(first) {
                var position = start
                for offset in 1..<pattern.slots.count {
                    let upper = min(filled.count, position + 2 + pattern.gap)
                    guard let next = ((position + 1)..<max(position + 1, upper)).first(where: { filled[$0].contains(first + offset) })
                    else { continue search }
                    position = next
                }
                found |= 1 << UInt64(pattern.family)
                break
            }
        }
        return found
    }
}

/// FNV-1a, 32 bits: stable across processes (Swift's Hasher is seeded per process), cheap per byte.
enum FNV {
    static let offset: UInt32 = 2_166_136_261

    @inline(__always) static func step(_ hash: UInt32, _ byte: UInt8) -> UInt32 {
        (hash ^ UInt32(byte)) &* 16_777_619
    }

    static func hash(_ bytes: some Sequence<UInt8>, from start: UInt32 = offset) -> UInt32 {
        var hash = start
        for byte in bytes { hash = step(hash, byte) }
        return hash
    }
}

/// A fixed open-addressing table from 32-bit hashes to slot sets, probed linearly.
struct HashedSlots {
    private var keys: [UInt32]
    private var values: [InjectionPatterns.SlotSet]
    private let mask: Int

    init(_ entries: [UInt32: InjectionPatterns.SlotSet]) {
        var capacity = 16
        while capacity < entries.count * 4 { capacity *= 2 }
        keys = [UInt32](repeating: 0, count: capacity)
        values = [InjectionPatterns.SlotSet](repeating: .init(), count: capacity)
        mask = capacity - 1
        for (key, value) in entries {
            var slot = Int(key &* 2_654_435_761) & mask
            while keys[slot] != 0 { slot = (slot + 1) & mask }
            keys[slot] = key == 0 ? 1 : key
            values[slot] = value
        }
    }

    subscript(key: UInt32) -> InjectionPatterns.SlotSet? {
        let wanted = key == 0 ? 1 : key
        var slot = Int(key &* 2_654_435_761) & mask
        while keys[slot] != 0 {
            if keys[slot] == wanted { return values[slot] }
            slot = (slot + 1) & mask
        }
        return nil
    }
}
