# make_reference_mle.R -- R reference fits on real public datasets for kl_core tests.
#
# Run from this folder (tests/data/reference/):
#     Rscript make_reference_mle.R
# (it also works from the repository root: it finds its own folder).
#
# Debian packages (bookworm): r-base-core r-cran-fitdistrplus r-cran-numderiv
#                             r-cran-mixtools r-cran-mclust
#
# Writes
#   ../real/<dataset>.csv     the real datasets, as an analyst saves them from R:
#                             write.csv(row.names = FALSE, na = "")
#   mle_fits.csv              fitdistrplus::fitdist(x, distr, method = "mle") on raw values
#   gof_stats.csv             fitdistrplus::gofstat() statistics of the continuous fits
#                             (plus ad_log: Anderson-Darling in log space, see below)
#   mixtures.csv              normal mixtures (mixtools::normalmixEM, several starts,
#                             cross-checked with mclust and a Newton polish)
#   zero_inflated.csv         zero-inflated Poisson / negative binomial by fitdist with
#                             the custom densities defined below
#
# Every fit is made on the values READ BACK from ../real/*.csv, so a Python test that
# reads the same CSV sees exactly the same doubles (the script checks that too).
# The tests read the CSVs only; R is never needed to run them.

suppressPackageStartupMessages({
  library(fitdistrplus)
  library(mixtools)
  library(mclust)
})
stopifnot(requireNamespace("numDeriv", quietly = TRUE))
RNGkind(kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")

outdir <- local({
  a <- commandArgs(trailingOnly = FALSE)
  f <- sub("^--file=", "", a[grepl("^--file=", a)])
  if (length(f) == 1) dirname(normalizePath(f)) else "."
})
realdir <- normalizePath(file.path(outdir, "..", "real"), mustWork = FALSE)
dir.create(realdir, showWarnings = FALSE)

FITDISTRPLUS <- as.character(packageVersion("fitdistrplus"))

# ---------------------------------------------------------------------------
# Number format: every double with 17 significant digits (round-trips exactly).
# ---------------------------------------------------------------------------
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

write_table <- function(df, name) {
  for (k in names(df)) if (is.double(df[[k]])) df[[k]] <- num(df[[k]])
  for (k in names(df)) if (is.character(df[[k]]) && any(grepl(",", df[[k]])))
    stop("comma in column ", k)
  path <- file.path(outdir, name)
  write.csv(df, path, row.names = FALSE, quote = FALSE)
  cat("wrote", path, "(", nrow(df), "rows )\n")
}

# ---------------------------------------------------------------------------
# 1. The real datasets, exported as an analyst would (write.csv defaults:
#    quoted strings, 15 significant digits, NA written as an empty cell).
# ---------------------------------------------------------------------------
data(groundbeef, endosulfan, danishuni, toxocara, package = "fitdistrplus")
real <- list(
  groundbeef  = groundbeef,                                   # serving
  endosulfan  = endosulfan,                                   # ATV, Australian, group
  danishuni   = danishuni,                                    # Date, Loss
  toxocara    = toxocara,                                     # number
  precip      = data.frame(city = names(precip), precip = unname(precip)),
  rivers      = data.frame(length = rivers),
  islands     = data.frame(name = names(islands), area = unname(islands)),
  faithful    = faithful,                                     # eruptions, waiting
  quakes      = quakes,                                       # lat, long, depth, mag, stations
  morley      = morley,                                       # Expt, Run, Speed
  airquality  = airquality,                                   # Ozone has 37 NA
  discoveries = data.frame(year = as.integer(time(discoveries)),
                           discoveries = as.integer(discoveries)),
  InsectSprays = InsectSprays,                                # count, spray
  warpbreaks  = warpbreaks                                    # breaks, wool, tension
)
real$danishuni$Date <- format(real$danishuni$Date)            # ISO dates, as write.csv does

for (nm in names(real)) {
  df <- real[[nm]]
  rownames(df) <- NULL
  write.csv(df, file.path(realdir, paste0(nm, ".csv")), row.names = FALSE, na = "")
}
cat("wrote", length(real), "datasets to", realdir, "\n")

# Read the files back; fits below use these values.  They must equal R's own.
back <- lapply(names(real), function(nm)
  read.csv(file.path(realdir, paste0(nm, ".csv")), na.strings = ""))
names(back) <- names(real)
column <- function(dataset, variable) {
  v <- back[[dataset]][[variable]]
  orig <- real[[dataset]][[variable]]
  stopifnot(isTRUE(all.equal(as.numeric(v), as.numeric(orig), tolerance = 0)))
  v[!is.na(v)]
}

# ---------------------------------------------------------------------------
# 2. Optimiser.  fitdistrplus builds the negative log-likelihood of the raw
#    values and hands it to `custom.optim`.  Plain optim() stops early (Nelder-Mead
#    for 2 parameters, default reltol: up to ~1e-4 relative on these data), and for
#    the gamma on large values (rivers, islands, danishuni: rate ~ 1e-3) its simplex
#    is badly scaled.  So: optim() with parscale = |start| (each parameter on its own
#    scale; the start is fitdistrplus' moment estimate) and reltol = 1e-15, then Newton
#    steps with numDeriv's Richardson-extrapolated gradient and Hessian.  The likelihood
#    is still fitdistrplus' on the raw values in their original units, so the estimates
#    are the raw-data MLE; `sd` is fitdistrplus' sqrt(diag(solve(Hessian))) with that
#    numDeriv Hessian.
# ---------------------------------------------------------------------------
precise_optim <- function(fn, par, ...) {
  f <- function(p) fn(p, ...)
  meth <- if (length(par) > 1) "Nelder-Mead" else "BFGS"
  scale <- pmax(abs(par), 1e-8)
  o <- optim(par, f, method = meth,
             control = list(reltol = 1e-15, maxit = 20000, parscale = scale))
  if (length(par) > 1)   # restart once from the end point (Nelder-Mead can stall)
    o <- optim(o$par, f, method = meth,
               control = list(reltol = 1e-15, maxit = 20000, parscale = pmax(abs(o$par), 1e-8)))
  p <- o$par; fp <- f(p)
  for (i in 1:100) {
    g <- numDeriv::grad(f, p); H <- numDeriv::hessian(f, p)
    step <- tryCatch(solve(H, g), error = function(e) rep(0, length(p)))
    pn <- p - step; fnew <- f(pn)
    if (!is.finite(fnew) || fnew > fp + 1e-13 * abs(fp)) break
    p <- pn; fp <- fnew
    if (max(abs(step) / pmax(abs(p), 1e-300)) < 1e-15) break
  }
  H <- numDeriv::hessian(f, p)
  dimnames(H) <- list(names(par), names(par))
  list(par = p, value = f(p), counts = o$counts, convergence = o$convergence, hessian = H)
}

# Closed-form MLEs, to check the optimiser (divisor-n variances).
closed_form <- function(x, distr) {
  m <- mean(x)
  switch(distr,
    norm  = c(mean = m, sd = sqrt(mean((x - m)^2))),
    lnorm = c(meanlog = mean(log(x)), sdlog = sqrt(mean((log(x) - mean(log(x)))^2))),
    exp   = c(rate = 1 / m),
    pois  = c(lambda = m),
    geom  = c(prob = 1 / (1 + m)),
    NULL)
}

# Score equation check for the two families without closed form in both params:
# gamma: log(shape) - digamma(shape) = log(mean) - mean(log x), rate = shape / mean;
# nbinom: mu = mean, size solves the profile score.
profile_score <- function(x, distr, est) {
  switch(distr,
    gamma = log(est[["shape"]]) - digamma(est[["shape"]]) - (log(mean(x)) - mean(log(x))),
    nbinom = { s <- est[["size"]]; m <- mean(x)
               mean(digamma(x + s)) - digamma(s) + log(s / (s + m)) },
    weibull = { k <- est[["shape"]]   # profile score of the shape (scale eliminated)
                sum(x^k * log(x)) / sum(x^k) - 1 / k - mean(log(x)) },
    NA_real_)
}

fit_one <- function(x, distr, ...) {
  f <- fitdist(x, distr, method = "mle", custom.optim = precise_optim, ...)
  stopifnot(f$convergence == 0)
  d <- tryCatch(fitdist(x, distr, method = "mle", ...), error = function(e) e)
  if (inherits(d, "error")) {
    cat(sprintf("    default fitdist failed: %s\n", conditionMessage(d)))
  } else {
    dl <- f$loglik - d$loglik
    de <- max(abs(f$estimate / d$estimate[names(f$estimate)] - 1))
    cat(sprintf("    polished - default fitdist: dloglik = %.3g, max rel d(estimate) = %.3g\n", dl, de))
    stopifnot(dl >= -1e-9 * abs(d$loglik))
  }
  cf <- closed_form(x, distr)
  if (!is.null(cf)) {
    err <- max(abs(f$estimate[names(cf)] / cf - 1))
    cat(sprintf("    closed-form check: max rel err = %.2e\n", err))
    stopifnot(err < 1e-9)
  }
  if (distr == "nbinom") {
    err <- abs(f$estimate[["mu"]] / mean(x) - 1)
    stopifnot(err < 1e-9)
  }
  sc <- profile_score(x, distr, f$estimate)
  if (!is.na(sc)) {
    cat(sprintf("    profile score at the estimate = %.2e\n", sc))
    stopifnot(abs(sc) < 1e-8)
  }
  f
}

fit_rows <- function(dataset, variable, f) {
  data.frame(dataset = dataset, variable = variable, distr = f$distname,
             param = names(f$estimate), estimate = unname(f$estimate),
             sd = unname(f$sd[names(f$estimate)]), loglik = f$loglik,
             aic = f$aic, bic = f$bic, n = f$n, fitdistrplus_version = FITDISTRPLUS)
}

# ---------------------------------------------------------------------------
# 3. Continuous fits.  lnorm / gamma / weibull / exp only on positive data (all of
#    these variables are > 0, checked).  norm and logis everywhere.
# ---------------------------------------------------------------------------
continuous <- list(
  c("groundbeef", "serving"), c("endosulfan", "ATV"), c("danishuni", "Loss"),
  c("precip", "precip"), c("rivers", "length"), c("islands", "area"),
  c("faithful", "eruptions"), c("faithful", "waiting"), c("quakes", "mag"),
  c("morley", "Speed"), c("airquality", "Ozone"))
CONTINUOUS_FAMILIES <- c("norm", "lnorm", "gamma", "weibull", "exp", "logis")
POSITIVE_ONLY <- c("lnorm", "gamma", "weibull", "exp")

# gofstat's Anderson-Darling statistic, -n - mean((2i - 1)(log F(x_(i)) + log(1 - F(x_(n+1-i))))),
# is Inf when 1 - F(max) rounds to 0 (danishuni: a light tail against a loss of 263).
# ad_log is the same formula with log F and log(1 - F) from p<distr>(log.p = TRUE,
# lower.tail = FALSE): equal to gofstat's where that is finite (checked to 1e-6; gofstat's
# 1 - F loses digits near F = 1, e.g. 5e-10 relative on endosulfan norm), finite everywhere.
anderson_darling_log <- function(f) {
  x <- sort(f$data); n <- length(x); i <- seq_len(n)
  pf <- get(paste0("p", f$distname))
  args <- as.list(f$estimate)
  logF <- do.call(pf, c(list(x), args, log.p = TRUE))
  logS <- do.call(pf, c(list(x), args, lower.tail = FALSE, log.p = TRUE))
  -n - mean((2 * i - 1) * (logF + rev(logS)))
}

mle <- list(); gof <- list()
for (dv in continuous) {
  x <- column(dv[1], dv[2])
  cat(sprintf("%s$%s: n = %d, min = %g, max = %g\n", dv[1], dv[2], length(x), min(x), max(x)))
  fams <- if (min(x) > 0) CONTINUOUS_FAMILIES else setdiff(CONTINUOUS_FAMILIES, POSITIVE_ONLY)
  fl <- list()
  for (distr in fams) {
    cat("  ", distr, "\n")
    f <- fit_one(x, distr)
    fl[[distr]] <- f
    mle[[length(mle) + 1]] <- fit_rows(dv[1], dv[2], f)
  }
  g <- gofstat(fl, fitnames = names(fl))
  ad_log <- sapply(fl, anderson_darling_log)
  ok <- is.finite(g$ad)
  # log(1 - F) in gofstat loses digits when F is near 1: agreement to 1e-6, not 1e-15.
  cat(sprintf("  max rel |ad_log - gofstat ad| = %.2e\n", max(c(0, abs(ad_log[ok] / g$ad[ok] - 1)))))
  stopifnot(abs(ad_log[ok] / g$ad[ok] - 1) < 1e-6)
  if (any(!ok)) cat(sprintf("  gofstat ad = Inf (1 - F(max) rounds to 0) for %s; ad_log = %s\n",
                            paste(names(fl)[!ok], collapse = ", "),
                            paste(signif(ad_log[!ok], 8), collapse = ", ")))
  gof[[length(gof) + 1]] <- data.frame(dataset = dv[1], variable = dv[2], distr = names(fl),
                                       ks = unname(g$ks), cvm = unname(g$cvm), ad = unname(g$ad),
                                       ad_log = unname(ad_log))
}

# ---------------------------------------------------------------------------
# 4. Count fits: pois, nbinom, geom.  No binom: none of these counts has a fixed,
#    known number of trials.  rivers and islands (integers) get them too: the
#    Poisson log-likelihoods of issue 10 (-20522.58, -108742.50).
# ---------------------------------------------------------------------------
counts <- list(
  c("toxocara", "number"), c("discoveries", "discoveries"), c("InsectSprays", "count"),
  c("warpbreaks", "breaks"), c("rivers", "length"), c("islands", "area"))
for (dv in counts) {
  x <- column(dv[1], dv[2])
  stopifnot(all(x == round(x)), all(x >= 0))
  cat(sprintf("%s$%s: n = %d, mean = %g, var = %g\n", dv[1], dv[2], length(x), mean(x), var(x)))
  for (distr in c("pois", "nbinom", "geom")) {
    cat("  ", distr, "\n")
    f <- fit_one(x, distr)
    mle[[length(mle) + 1]] <- fit_rows(dv[1], dv[2], f)
  }
}

mle_fits <- do.call(rbind, mle)
# aic and bic are fitdistrplus' own; check them against the definition.
k <- ave(mle_fits$loglik, mle_fits$dataset, mle_fits$variable, mle_fits$distr, FUN = length)
stopifnot(abs(mle_fits$aic - (-2 * mle_fits$loglik + 2 * k)) < 1e-9 * abs(mle_fits$aic),
          abs(mle_fits$bic - (-2 * mle_fits$loglik + log(mle_fits$n) * k)) < 1e-9 * abs(mle_fits$bic))
write_table(mle_fits, "mle_fits.csv")
write_table(do.call(rbind, gof), "gof_stats.csv")

# ---------------------------------------------------------------------------
# 5. Normal mixtures on faithful (k = 2, 3): mixtools::normalmixEM from 30 random
#    starts (seeds 1..30) to epsilon = 1e-12, best log-likelihood kept, then Newton
#    steps on the log-likelihood in (logit weights, means, log sds) with numDeriv,
#    and cross-checked with mclust::Mclust(G = k, modelNames = "V").
# ---------------------------------------------------------------------------
mix_loglik <- function(x, w, mu, s) {
  dens <- sapply(seq_along(w), function(j) w[j] * dnorm(x, mu[j], s[j]))
  sum(log(rowSums(dens)))
}
unpack <- function(theta, k) {
  eta <- c(0, theta[seq_len(k - 1)])
  list(w = exp(eta) / sum(exp(eta)), mu = theta[k:(2 * k - 1)], s = exp(theta[(2 * k):(3 * k - 1)]))
}
polish_mixture <- function(x, w, mu, s) {
  k <- length(w)
  theta <- c(log(w[-1] / w[1]), mu, log(s))
  nll <- function(t) { u <- unpack(t, k); -mix_loglik(x, u$w, u$mu, u$s) }
  ft <- nll(theta)
  for (i in 1:100) {
    g <- numDeriv::grad(nll, theta); H <- numDeriv::hessian(nll, theta)
    step <- solve(H, g); tn <- theta - step; fn <- nll(tn)
    if (!is.finite(fn) || fn > ft + 1e-13 * abs(ft)) break
    theta <- tn; ft <- fn
    if (max(abs(step)) < 1e-14) break
  }
  u <- unpack(theta, k)
  o <- order(u$mu)
  list(w = u$w[o], mu = u$mu[o], s = u$s[o], loglik = -ft,
       grad = max(abs(numDeriv::grad(nll, theta))))
}

mixture_rows <- function(dataset, variable, k) {
  x <- column(dataset, variable)
  best <- NULL
  for (seed in 1:30) {
    set.seed(seed)
    m <- tryCatch(suppressMessages(capture.output(r <- normalmixEM(x, k = k, epsilon = 1e-12, maxit = 1e5))),
                  error = function(e) NULL)
    if (is.null(m)) next
    if (any(r$sigma < 1e-6 * sd(x))) next          # degenerate component
    if (is.null(best) || r$loglik > best$loglik) best <- r
  }
  p <- polish_mixture(x, best$lambda, best$mu, best$sigma)
  mc <- Mclust(x, G = k, modelNames = "V", verbose = FALSE)
  cat(sprintf("%s$%s normal mixture k=%d: mixtools best %.10f, polished %.10f (|grad| %.1e), mclust %.10f\n",
              dataset, variable, k, best$loglik, p$loglik, p$grad, mc$loglik))
  stopifnot(p$loglik >= best$loglik - 1e-9, p$loglik >= mc$loglik - 1e-6,
            abs(p$loglik - mix_loglik(x, p$w, p$mu, p$s)) < 1e-9)
  mo <- order(best$mu)
  cat(sprintf("    max |polished - mixtools| parameter = %.2e\n",
              max(abs(c(p$w - best$lambda[mo], p$mu - best$mu[mo], p$s - best$sigma[mo])))))
  params <- c(rbind(p$w, p$mu, p$s))
  names(params) <- c(rbind(paste0("weight", 1:k), paste0("mean", 1:k), paste0("sd", 1:k)))
  data.frame(dataset = dataset, variable = variable, family = "norm", k = k,
             param = names(params), estimate = unname(params), loglik = p$loglik,
             n = length(x),
             source = sprintf("mixtools %s normalmixEM (30 starts) + Newton polish; mclust %s loglik %.10f",
                              packageVersion("mixtools"), packageVersion("mclust"), mc$loglik))
}
mixtures <- rbind(mixture_rows("faithful", "eruptions", 2), mixture_rows("faithful", "eruptions", 3),
                  mixture_rows("faithful", "waiting", 2))
write_table(mixtures, "mixtures.csv")

# ---------------------------------------------------------------------------
# 6. Zero-inflated counts: P(0) = pstr0 + (1 - pstr0) f(0), P(x) = (1 - pstr0) f(x)
#    for x > 0 (VGAM's parameter names: pstr0 = probability of a structural zero;
#    nbinom in R's (size, mu) form).  fitdist needs the d and p functions by name in
#    the global environment.  Data: toxocara (14 zeros of 53) and discoveries (9 of 100).
# ---------------------------------------------------------------------------
dzipois <- function(x, lambda, pstr0, log = FALSE) {
  if (length(x) == 0) return(numeric(0))
  d <- ifelse(x == 0, pstr0 + (1 - pstr0) * dpois(0, lambda), (1 - pstr0) * dpois(x, lambda))
  if (pstr0 < 0 || pstr0 >= 1 || lambda <= 0) d[] <- NaN
  if (log) log(d) else d
}
pzipois <- function(q, lambda, pstr0, lower.tail = TRUE, log.p = FALSE) {
  if (length(q) == 0) return(numeric(0))
  p <- ifelse(q < 0, 0, pstr0 + (1 - pstr0) * ppois(q, lambda))
  if (!lower.tail) p <- 1 - p
  if (log.p) log(p) else p
}
dzinbinom <- function(x, size, mu, pstr0, log = FALSE) {
  if (length(x) == 0) return(numeric(0))
  d <- ifelse(x == 0, pstr0 + (1 - pstr0) * dnbinom(0, size = size, mu = mu),
              (1 - pstr0) * dnbinom(x, size = size, mu = mu))
  if (pstr0 < 0 || pstr0 >= 1 || size <= 0 || mu <= 0) d[] <- NaN
  if (log) log(d) else d
}
pzinbinom <- function(q, size, mu, pstr0, lower.tail = TRUE, log.p = FALSE) {
  if (length(q) == 0) return(numeric(0))
  p <- ifelse(q < 0, 0, pstr0 + (1 - pstr0) * pnbinom(q, size = size, mu = mu))
  if (!lower.tail) p <- 1 - p
  if (log.p) log(p) else p
}

# pscl::zeroinfl(y ~ 1, dist = ...) is an independent maximiser of the same likelihood
# (BFGS on logit(pstr0), log(mu), log(theta)); its log-likelihood is printed and must
# not beat ours.
pscl_loglik <- function(x, dist) {
  if (!requireNamespace("pscl", quietly = TRUE)) return(NA_real_)
  y <- x
  as.numeric(logLik(pscl::zeroinfl(y ~ 1 | 1, dist = dist)))
}

zi_rows <- function(dataset, variable, f, note) {
  cbind(fit_rows(dataset, variable, f), note = note)
}

# Zero-inflated Poisson: interior optimum whenever there are more zeros than the
# Poisson(mean) predicts; it then satisfies mean(x) = (1 - pstr0) lambda and
# P(0) = share of zeros (both checked).
zipois_fit <- function(dataset, variable) {
  x <- column(dataset, variable)
  p0 <- mean(x == 0)
  cat(sprintf("%s$%s zipois: share of zeros %.4f, Poisson(mean) predicts %.4f\n",
              dataset, variable, p0, dpois(0, mean(x))))
  f <- fit_one(x, "zipois", start = list(lambda = mean(x[x > 0]), pstr0 = p0 / 2), discrete = TRUE)
  e <- f$estimate
  stopifnot(e[["pstr0"]] > 0, e[["pstr0"]] < 1,
            abs((1 - e[["pstr0"]]) * e[["lambda"]] / mean(x) - 1) < 1e-9,
            abs(dzipois(0, e[["lambda"]], e[["pstr0"]]) / p0 - 1) < 1e-9)
  ps <- pscl_loglik(x, "poisson")
  cat(sprintf("    loglik %.10f; pscl::zeroinfl %.10f\n", f$loglik, ps))
  stopifnot(is.na(ps) || f$loglik >= ps - 1e-9 * abs(ps))
  zi_rows(dataset, variable, f, "interior MLE")
}

# Zero-inflated negative binomial.  The derivative of the log-likelihood in pstr0 at
# pstr0 = 0 (size, mu at the negative binomial MLE) is n0 / f0 - n, f0 = NB P(0).  When it
# is <= 0 the data have no more zeros than the negative binomial already gives, and the
# MLE is on the boundary pstr0 = 0: the zero-inflated model IS the negative binomial.
# That is checked on a grid of fixed pstr0 > 0 (profile log-likelihoods all lower) and
# written with pstr0 = 0, sd NA, k = 3 free parameters in aic and bic.
zinbinom_fit <- function(dataset, variable) {
  x <- column(dataset, variable)
  n0 <- sum(x == 0); n <- length(x)
  nb <- fit_one(x, "nbinom")
  f0 <- dnbinom(0, size = nb$estimate[["size"]], mu = nb$estimate[["mu"]])
  slope <- n0 / f0 - n
  ps <- pscl_loglik(x, "negbin")
  cat(sprintf("%s$%s zinbinom: zeros %d of %d, NB predicts %.3f; d loglik / d pstr0 at 0 = %.4g; pscl %.10f\n",
              dataset, variable, n0, n, n * f0, slope, ps))
  if (slope > 0) {
    f <- fit_one(x, "zinbinom", discrete = TRUE,
                 start = list(size = nb$estimate[["size"]], mu = mean(x), pstr0 = 0.05))
    stopifnot(f$estimate[["pstr0"]] > 0, f$loglik > nb$loglik,
              is.na(ps) || f$loglik >= ps - 1e-9 * abs(ps))
    return(zi_rows(dataset, variable, f, "interior MLE"))
  }
  for (p in c(1e-4, 1e-3, 0.01, 0.05, 0.1, 0.2, 0.5)) {
    fp <- fitdist(x, "zinbinom", discrete = TRUE, fix.arg = list(pstr0 = p),
                  start = list(size = nb$estimate[["size"]], mu = mean(x)),
                  custom.optim = precise_optim)
    stopifnot(fp$loglik < nb$loglik)
  }
  stopifnot(is.na(ps) || nb$loglik >= ps - 1e-9 * abs(ps))
  k <- 3
  data.frame(dataset = dataset, variable = variable, distr = "zinbinom",
             param = c("size", "mu", "pstr0"),
             estimate = c(nb$estimate[["size"]], nb$estimate[["mu"]], 0),
             sd = c(nb$sd[["size"]], nb$sd[["mu"]], NA), loglik = nb$loglik,
             aic = -2 * nb$loglik + 2 * k, bic = -2 * nb$loglik + log(n) * k, n = n,
             fitdistrplus_version = FITDISTRPLUS,
             note = "boundary MLE pstr0 = 0 (no excess zeros over the negative binomial): equals fitdist nbinom; sd of size and mu from that fit")
}

zero_inflated <- rbind(zipois_fit("toxocara", "number"), zinbinom_fit("toxocara", "number"),
                       zipois_fit("discoveries", "discoveries"), zinbinom_fit("discoveries", "discoveries"))
write_table(zero_inflated, "zero_inflated.csv")

cat("R:", R.version.string, "\n")
cat("fitdistrplus:", FITDISTRPLUS, " mixtools:", as.character(packageVersion("mixtools")),
    " mclust:", as.character(packageVersion("mclust")),
    " numDeriv:", as.character(packageVersion("numDeriv")), "\n")
